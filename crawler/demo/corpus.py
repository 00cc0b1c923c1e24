"""Deterministic article prose for the replica, assembled from sentences written for it (no real article is quoted).

Every story is a title plus paragraphs in Simplified script; site modules add their own chrome around it.
Companies, experts and reporters are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

CITIES = ("深圳", "广州", "东莞", "佛山", "珠海", "惠州", "中山", "江门", "肇庆", "汕头", "湛江", "韶关", "清远", "揭阳")

# (industry, a product it makes, invented company names)
INDUSTRIES = (
    ("低空经济", "载人电动垂直起降飞行器", ("南岭翼航科技", "云端低空物流")),
    ("新能源汽车", "高压快充动力电池包", ("珠江智驾汽车", "湾区电驱动力")),
    ("人工智能", "面向制造业的行业大模型", ("鹏擎智能科技", "知微算法研究院")),
    ("集成电路", "车规级功率芯片", ("湾芯微电子", "粤晶半导体装备")),
    ("新型储能", "大容量储能电芯", ("粤储新能源", "海岸储能系统")),
    ("智能机器人", "协作机器人关节模组", ("鹏擎机器人", "灵巧智造装备")),
    ("工业母机", "五轴联动数控机床", ("海湾精工", "南方精密机床")),
    ("生物医药", "新型疫苗生产线", ("岭南生物制药", "康研医疗器械")),
    ("超高清视频显示", "柔性显示面板", ("光谷显示科技", "晶彩视讯")),
    ("海洋工程装备", "深远海养殖平台", ("蓝海重工", "南海海工装备")),
    ("商业航天", "低轨通信卫星", ("星链航天科技", "穹顶卫星制造")),
    ("智能网联汽车", "车路协同路侧设备", ("智行车联科技", "路云协同科技")),
)

EXPERTS = (
    "广东省社会科学院研究员林晓燕", "暨南大学产业经济研究院教授黄志明", "中山大学岭南学院副教授周婷",
    "华南理工大学工商管理学院教授吴海峰", "省电子信息行业协会秘书长郑嘉怡", "一位长期跟踪制造业的投资人何文博",
)

OPENERS = (
    "{month}月{day}日，{city}召开{industry}发展推进会，围绕产业链补链强链作出新一轮部署。",
    "近日，{city}印发《关于加快{industry}高质量发展的若干措施》，从研发投入、场景开放、人才引育等方面提出{n}条具体举措。",
    "记者从{city}工业和信息化部门获悉，今年以来全市新增{industry}相关企业{n3}家，产业规模持续扩大。",
    "作为发展新质生产力的重要抓手，{industry}正在成为{city}稳增长的新引擎。",
    "走进{city}一家{industry}企业的生产车间，自动化产线正在满负荷运转，工人们正忙着赶制海外订单。",
    "在{city}，一场围绕{industry}的产业竞赛正在悄然展开。",
    "开年以来，{city}密集调研{industry}重点企业，现场协调解决用地、用能和融资等问题。",
)

DATA = (
    "统计数据显示，{year}年{city}{industry}产业营收达到{big}亿元，同比增长{pct}%。",
    "截至{month}月底，全市已集聚{industry}规上企业{n3}家，其中国家级专精特新“小巨人”企业{n2}家。",
    "一季度，{city}规模以上工业增加值同比增长{pct}%，高技术制造业投资增速明显快于全部投资。",
    "全市累计建成{industry}公共技术服务平台{n2}个，带动上下游配套企业超过{n3}家。",
    "去年以来，{city}新签约{industry}项目{n2}个，计划总投资约{big}亿元。",
    "在全省21个地市中，{city}的{industry}产值规模已跻身前列，占全省比重接近{pct}%。",
)

POLICY = (
    "根据措施，对首次获评国家级制造业单项冠军的企业给予一次性奖励，对牵头承担关键核心技术攻关任务的企业按项目投入给予最高{m}万元资助。",
    "{city}还将设立规模{big}亿元的产业投资基金，重点投向{industry}领域的早期项目和中试平台。",
    "在场景开放方面，当地计划每年发布一批应用场景清单，支持新技术、新产品在政务服务、城市管理等领域先行先试。",
    "针对企业反映较多的用地难题，{city}提出推广“工业上楼”模式，新建一批高标准厂房，以租代售降低企业初期投入。",
    "措施明确，到{target}年全市{industry}产业规模力争突破{big2}亿元，培育{few}家以上营收超百亿元的龙头企业。",
    "人才政策同样是重头戏：对引进的高层次研发团队，当地将在住房、子女入学和科研经费上给予综合支持。",
    "为缓解中小企业融资压力，{city}推出“技改贷”贴息政策，对符合条件的设备更新项目按贷款利息的一半给予补贴。",
)

ENTERPRISE = (
    "{company}相关负责人介绍，公司今年将研发投入占营收比重提高到{pct2}%以上，新一代产品预计年内实现量产。",
    "在{company}的展厅里，一款自主研发的{product}吸引了不少参观者驻足。",
    "{company}的新工厂从签约到投产仅用了{build}个月，当地为项目开辟了审批“绿色通道”。",
    "不少中小企业表示，共享实验室和中试线的开放，明显缩短了新产品从样机到订单的周期。",
    "{company}负责人坦言，过去一款{product}从设计到定型要一年多，如今借助数字化研发平台，周期压缩到了半年以内。",
    "据了解，{company}已与本地{few}所高校共建联合实验室，每年联合培养工程硕士超过百人。",
)

EXPERT = (
    "{expert}认为，{industry}的竞争归根到底是创新生态的竞争，地方政府既要舍得投入，也要尊重市场规律。",
    "{expert}表示，各地在布局{industry}时应当避免同质化，立足自身产业基础找准细分赛道。",
    "在{expert}看来，数字化转型不是简单的设备更新，而是生产方式和管理模式的系统性变革。",
    "{expert}提醒，新兴产业投入大、周期长，产业基金应当更有耐心，不能只盯着短期回报。",
)

OUTLOOK = (
    "业内人士预计，随着一批重大项目陆续投产，{city}{industry}产业有望在未来两到三年迎来集中释放期。",
    "下一步，{city}将持续优化营商环境，推动产业链上下游协同，加快形成具有竞争力的产业集群。",
    "从政策发力到项目落地，{city}正以实干姿态把发展蓝图变为施工图。",
    "可以预见，围绕{industry}的区域竞争仍将持续升温，谁能在关键技术和应用场景上率先突破，谁就更有可能赢得主动。",
)

# Industry-association flavour (ccpa). Names with 镕 and 喆 are deliberate: both are GBK-only (absent from GB2312).
CONCRETE = (
    "协会调研显示，{year}年全国预制混凝土构件产量同比增长{pct}%，装配式建筑用构件占比继续提高。",
    "协会专家委员会副主任朱镕生指出，水泥制品行业正处在从“规模扩张”向“质量效益”转型的关键期。",
    "参与标准编制的高级工程师王喆介绍，新标准首次对低碳混凝土管桩的碳排放核算方法作出规定。",
    "{city}一家预制构件企业投用智能布料机和自动养护窑后，单条产线人工减少了三成，产品合格率稳定在99%以上。",
    "与会代表认为，行业要加快应用固废基胶凝材料，推动水泥制品全生命周期绿色低碳发展。",
    "会议还发布了混凝土与水泥制品行业数字化转型典型案例，涵盖生产管控、质量追溯和智能物流等环节。",
)

# Construction-technology flavour (tuituisoft). The bracketed forms must survive ruby flattening.
BUILDING = (
    "据中国混凝土与水泥制品协会(CCPA)统计，装配式构件的标准化程度直接影响项目成本。",
    "在BIM正向设计的支持下，{city}一个保障性住房项目的构件拆分和碰撞检查全部在模型中完成，现场返工明显减少。",
    "{city}住房和城乡建设部门提出，新建政府投资项目原则上采用装配式建造方式，并逐步推广智能建造试点。",
    "业内认为，智能建造的难点不在单项技术，而在设计、生产、施工各环节的数据贯通。",
    "在去年召开的一次行业座谈会（2025年2月6日）上，多家施工企业呼吁统一构件编码和数据交付标准。",
    "一位项目总工介绍，采用铝模和叠合板后，标准层施工周期由七天缩短到五天左右。",
)

TITLES = (
    "{city}出台{n}条措施加码{industry}",
    "{city}{industry}产业集群加速成形",
    "抢滩{industry}新赛道，{city}打出“组合拳”",
    "{city}{industry}项目集中签约 总投资超{big}亿元",
    "{industry}“上新”，{city}制造向“新”而行",
    "前{months}个月{city}{industry}产值增长{pct}%",
    "{city}发布{industry}应用场景清单",
    "从“跟跑”到“领跑”：{city}{industry}的突围之路",
    "{city}推动{industry}与实体经济深度融合",
    "{city}加快培育{industry}新质生产力",
)


@dataclass(frozen=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]
    city: str
    industry: str
    product: str
    company: str
    published: datetime  # Beijing time


def _slots(rng: random.Random, city: str, industry: tuple, when: datetime) -> dict[str, object]:
    name, product, companies = industry
    return {
        "city": city, "industry": name, "product": product, "company": rng.choice(companies),
        "expert": rng.choice(EXPERTS), "year": when.year - 1, "month": max(1, when.month - 1),
        "day": rng.randint(2, 27), "months": max(2, when.month - 1), "target": when.year + rng.choice((2, 3, 5)),
        "n": rng.randint(12, 30), "few": rng.randint(3, 9), "build": rng.randint(8, 18), "n2": rng.randint(6, 48), "n3": rng.randint(120, 960),
        "m": rng.choice((500, 1000, 2000, 3000)), "big": rng.randint(35, 880),
        "big2": rng.choice((1000, 2000, 3000, 5000)), "pct": rng.randint(6, 38), "pct2": rng.randint(8, 15),
    }


def _paragraph(rng: random.Random, pools: list[tuple[str, ...]], used: set[str], slots: dict) -> str:
    sentences = []
    for pool in pools:
        fresh = [s for s in pool if s not in used]
        choice = rng.choice(fresh)
        used.add(choice)
        sentences.append(choice.format(**slots))
    return "".join(sentences)


def stories(site: str, count: int, *, first: datetime, step: timedelta, cities: tuple[str, ...] = CITIES,
            extra: tuple[str, ...] = (), distinct_industries: bool = False) -> list[Story]:
    """`count` distinct stories for `site`, newest first, published `step` apart ending at `first`.

    `extra` is a flavour pool; one or two of its sentences open a paragraph of their own in every story.
    `distinct_industries` gives every story its own industry (policy documents are named after it).
    """
    rng = random.Random(f"policycrawl-replica-{site}")
    out: list[Story] = []
    seen_titles: set[str] = set()
    combos = [(c, i) for c in cities for i in INDUSTRIES]
    rng.shuffle(combos)
    for k, (city, industry) in enumerate(combos):
        if len(out) == count:
            break
        when = first - step * len(out) - timedelta(minutes=rng.randint(0, 50))
        slots = _slots(rng, city, industry, when)
        title = rng.choice(TITLES).format(**slots)
        if title in seen_titles or (distinct_industries and industry[0] in {o.industry for o in out}):
            continue
        used: set[str] = set()
        paras = [
            _paragraph(rng, [OPENERS, DATA], used, slots),
            _paragraph(rng, [POLICY, POLICY], used, slots),
            _paragraph(rng, [ENTERPRISE, ENTERPRISE], used, slots),
        ]
        if extra:
            picks = rng.sample(extra, 2 if len(out) % 2 else 1)
            paras.insert(2, "".join(p.format(**slots) for p in picks))
        # Every third story is shorter, unless that would take it under the 300-character floor.
        if k % 3 != 1 or sum(map(len, paras)) < 300:
            paras.append(_paragraph(rng, [DATA, EXPERT], used, slots))
        paras.append(_paragraph(rng, [OUTLOOK], used, slots))
        seen_titles.add(title)
        out.append(Story(title, tuple(paras), city, industry[0], industry[1], slots["company"], when))
    if len(out) < count:
        raise ValueError(f"corpus too small for {count} stories on {site}")
    return out
