"""What the government replica sites publish, apart from their markup: news stories, policy documents with their
信息公开 fields and 落款, attachments, and the truth a correct record of each carries.

The family modules (nfcms, gkmlpt, hanweb, trs) only decide how a page shows these. All prose comes from
crawler/demo/corpus.py; nothing is copied from a real page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from datetime import datetime, timedelta

from crawler.demo import attachments, corpus
from crawler.demo.model import ArticleTruth, AttachmentTruth, SiteDraft
from crawler.demo.web import iso

# Traps a government page can carry; tests check that each appears somewhere and that records get past it.
TRAPS = {
    "pubdate-regenerated": "<meta PubDate> is a regeneration time months after publication",
    "signature-date": "the 落款 date at the end of the body is not the publication date",
    "written-not-published": "成文日期 differs from 发布日期",
    "meta-date-only": "no date is shown on the page; only a meta tag has it",
    "xxgk-in-comment": "the 信息公开 block is only inside an HTML comment",
    "hidden-copy": "a hidden elder-mode/print copy repeats the article",
    "mobile-twin": "a listing links the mobile twin mpost_N.html of the article post_N.html",
    "json-copy": "the body is also embedded as JSON in a script",
    "related-reading": "linked only from a related-reading block beside the list: reachable, but not a list item",
    "site-name-prefix": "<title> starts with the site name",
    "site-name-suffix": "<title> ends with the site name or column",
}

DATE_KEYS = ("written_date", "published_date", "effective_date", "expiry_date")

EXTENSION = attachments.EXTENSIONS


def attachment(kind: str, title: str, paragraphs: list[str]) -> tuple[Callable[[], bytes], str]:
    """(a function making the file's bytes, its content type): real files, rendered when first served."""
    return (lambda: attachments.make(kind, title, paragraphs)[0]), attachments.CONTENT_TYPES[kind]


@dataclass(frozen=True)
class Site:
    """Who publishes on one government portal, and how its documents name themselves."""

    id: str
    name: str  # the government (广东省人民政府)
    place: str  # how documents name the jurisdiction (广东省)
    issuer: str  # the general office that signs notices
    doc_prefix: str  # 文号 prefix (粤府办)
    salutation: str
    dept: str  # the department a notice refers questions to
    index_prefix: str  # 索引号 prefix (organisation code)
    first: datetime  # newest publication time
    cities: tuple[str, ...] = corpus.CITIES
    approver: str = ""  # who approved a plan before it was issued (default: the place's people's government)


@dataclass(frozen=True)
class Doc:
    """One policy document: a notice that issues a plan, signed at the end (落款)."""

    title: str
    plan: str
    industry: str
    paragraphs: tuple[str, ...]
    published: datetime
    written: datetime
    doc_no: str
    index_no: str
    issuer: str
    topic: str
    category: str
    subject_words: str
    seq: int
    attachments: tuple[tuple[str, str], ...] = ()  # (kind, file title)


@dataclass
class News:
    story: corpus.Story
    source: str

    @property
    def title(self) -> str:
        return self.story.title

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return self.story.paragraphs

    @property
    def published(self) -> datetime:
        return self.story.published


TOPICS = ("工业、交通", "科技、教育", "综合政务", "城乡建设、环境保护", "财政、金融、审计")
CATEGORIES = ("通知", "意见", "方案", "办法")
ATTACHMENT_SETS = (
    (("pdf", "{plan}"), ("docx", "{industry}重点任务分工表")),
    (("xlsx", "{industry}项目申报汇总表"),),
    (("pdf-scanned", "{plan}（盖章版）"), ("docx", "{industry}政策问答")),
    (),
    # What attachment capture must survive (issue 11): a PDF cut short, one above the demo's size limit, a dead link.
    (("pdf-broken", "{industry}项目清单（上传中断）"), ("pdf-oversize", "{plan}（图文版）"),
     ("missing-pdf", "{industry}申报指南")),
)
# Linked from the page, never served: the 404 an attachment capture must record.
MISSING = "missing-pdf"


def content(site: Site, news: int, docs: int) -> tuple[list[News], list[Doc]]:
    """`news` stories and `docs` documents for `site`, newest first, interleaved in time."""
    step = timedelta(days=3, hours=5, seconds=37)
    out_news = [News(story, site.place + site.dept[1:])
                for story in corpus.stories(site.id + "-news", news, first=site.first, step=step, cities=site.cities)]
    # Documents are named after their industry, so each has its own (at most 12).
    doc_stories = corpus.stories(site.id, docs, first=site.first - timedelta(days=1, hours=2), step=step,
                                 cities=site.cities, distinct_industries=True)
    out_docs: list[Doc] = []
    for story in doc_stories:
        seq = 5 + 7 * len(out_docs)
        # Signed some days before publication: the 落款 and 成文日期 are not the publication date.
        written = (story.published - timedelta(days=4 + len(out_docs) % 3)).replace(hour=0, minute=0, second=0)
        plan = f"{site.place}推动{story.industry}高质量发展行动方案（{written.year}—{written.year + 2}年）"
        title = f"{site.issuer}关于印发{plan}的通知"
        s = story.paragraphs
        paragraphs = (
            site.salutation,
            f"《{plan}》已经{site.approver or site.place + '人民政府'}同意，现印发给你们，请认真组织实施。实施过程中遇到的问题，请径向{site.dept}反映。",
            "一、总体要求", s[0], "二、重点任务", *s[1:-1], "三、保障措施", s[-1],
            site.issuer, f"{written.year}年{written.month}月{written.day}日",
        )
        atts = tuple((kind, name.format(plan=plan, industry=story.industry))
                     for kind, name in ATTACHMENT_SETS[len(out_docs) % len(ATTACHMENT_SETS)])
        out_docs.append(Doc(
            title=title, plan=plan, industry=story.industry, paragraphs=paragraphs, published=story.published,
            written=written, doc_no=f"{site.doc_prefix}〔{written.year}〕{seq}号",
            index_no=f"{site.index_prefix}/{written.year}-{seq * 131 % 100000:05d}", issuer=site.issuer,
            topic=TOPICS[len(out_docs) % len(TOPICS)], category=CATEGORIES[len(out_docs) % len(CATEGORIES)],
            subject_words=f"{story.industry} 行动方案 通知", seq=seq, attachments=atts,
        ))
    return out_news, out_docs


def cn_date(d: datetime) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def gov_truth(labels: list[tuple[str, str]], keys: dict[str, str]) -> tuple[tuple[tuple[str, str], ...],
                                                                               tuple[tuple[str, str], ...]]:
    """(normalised fields, page labels). `keys` maps a page label to its normalised key; date values become ISO days."""
    normal: dict[str, str] = {}
    for label, value in labels:
        key = keys.get(label)
        if key is None or not value or key in normal:
            continue
        if key in DATE_KEYS:
            # Independent of the extractor's date parser: the replica prints only these two forms.
            m = re.fullmatch(r"(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})日?", value)
            if m is None:
                raise ValueError(f"replica date {value!r} in an unknown form")
            value = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
        normal[key] = value
    return tuple(normal.items()), tuple(labels)


# The normalised key of every label the replica prints (the vocabulary of issue 10's 信息公开 fields).
LABEL_KEYS = {
    "索引号": "index_no", "分类": "category", "组配分类": "category", "主题分类": "topic", "发布机构": "issuer",
    "发文机关": "issuer", "发文机构": "issuer", "成文日期": "written_date", "发布日期": "published_date",
    "名称": "title", "标题": "title", "文号": "doc_no", "发文字号": "doc_no", "主题词": "subject_words",
    "有效性": "validity",
}


@dataclass
class Attached:
    """Attachments of one document as served: truth plus the link each page prints."""

    truth: tuple[AttachmentTruth, ...] = ()
    links: list[tuple[str, str]] = field(default_factory=list)  # (href as printed, link text)


def add_attachments(site: SiteDraft, doc: Doc, path_of, href_of=lambda path, n: path,
                    name_style: str = "plain") -> Attached:
    """Serve each of `doc`'s attachments at path_of(n, ext); href_of(path, n) gives the href the page prints
    (absolute, relative …). name_style "numbered" prints "附件1：title.ext" as the link text."""
    out = Attached()
    truths = []
    for n, (kind, title) in enumerate(doc.attachments, 1):
        ext = "pdf" if kind == MISSING else EXTENSION[kind]
        path = path_of(n, ext)
        if kind == MISSING:
            ctype = "application/pdf"
        else:
            body, ctype = attachment(kind, title, [doc.paragraphs[3], doc.paragraphs[5]])
            site.add(path, body, ctype)
        name = f"{title}.{ext}" if name_style == "plain" else f"附件{n}：{title}.{ext}"
        truths.append(AttachmentTruth(path, name, ext, ctype, kind))
        out.links.append((href_of(path, n), name))
    out.truth = tuple(truths)
    return out


def news_truth(path: str, news: News, published: str, listed: bool = True, *, published_from: str | None = None,
               traps: tuple[str, ...] = ()) -> ArticleTruth:
    return ArticleTruth(path, news.title, news.paragraphs, published, None, "Hans", listed,
                        published_from=published_from, traps=traps)


def doc_truth(path: str, doc: Doc, labels: list[tuple[str, str]], attached: Attached, listed: bool = True, *,
              published: str | None = None, published_from: str = "label", traps: tuple[str, ...] = ()) -> ArticleTruth:
    gov, gov_labels = gov_truth(labels, LABEL_KEYS)
    return ArticleTruth(path, doc.title, doc.paragraphs, published or iso(doc.published, "date"), None, "Hans", listed,
                        gov=gov, gov_labels=gov_labels, attachments=attached.truth, published_from=published_from,
                        traps=("signature-date", "written-not-published") + traps)


def regenerated(d: datetime) -> datetime:
    """A regeneration time months after publication (a template change republished every page)."""
    return d + timedelta(days=151, hours=7, minutes=13)
