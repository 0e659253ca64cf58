"""Surname list and word blacklists for the in-context person-name recognizer."""

from __future__ import annotations

#: Common single-character surnames (prepositions/particles that double as rare surnames — 向, 于,
#: 和, 从, 时, 把 … — are left out on purpose: "向老师反映" is not a name).
SURNAMES_1 = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔"
    "汤易常温康施文牛樊葛邢安齐伍庞颜倪殷欧翟洪柳兰童喻柯焦尚鲁章聂岳晏符阎詹涂谷饶盛鲍祝蒲邬滕骆苗闵舒裴杭麦霍耿祁辛项胥谌"
)
SURNAMES_2 = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "夏侯", "司徒", "尉迟", "长孙")

#: Two-character words that start with a surname character but are not names (本人曾经…, 文明…).
NOT_NAME_WORDS = frozenset(
    """曾经 高兴 高中 高速 高层 高新 高度 高铁 万一 任何 任务 方便 方面 方式 方法 方案 文件 文明 文化 关于
    常常 常年 周边 周末 周围 周一 周二 周三 周四 周五 周六 周日 安全 安排 安置 马上 马路 黄金 金额 金融
    齐全 龙头 毛病 包括 司机 石头 江边 林地 田地 严重 严格 严禁 武汉 温度 康复 施工 易于 付款 付费 范围
    陆续 钱财 于是 孔子 程度 程序 牛奶 鲁莽 尚未 柯城 童年 段时 雷电 史上 秦朝 夏天 夏季 夏日 熊孩 白天
    白色 孟子 江湖 石油 金属 杜绝 叶子 苏醒 魏晋 吕梁 丁字 沈阳 卢沟 钟点 汪洋 黎明 陶瓷 贺喜 顾客 顾问
    顾及 邵阳 万元 万多 严肃 武装 戴帽 莫名 孔明 汤圆 常规 常见 常住 温暖 康乐 施行 文字 文章 牛市 樊城
    葛洲 邢台 安装 安静 安居 齐心 伍佰 庞大 颜色 殷切 欧洲 洪水 柳州 兰州 童工 焦急 焦点 尚且 鲁迅 王府
    李子 张贴 陈旧 陈述 黄色 徐州 胡乱 胡同 林业 何时 何况 何处 何地 高考 罗马 郑州 谢谢 宋朝 唐朝
    许多 许可 韩国 田间 董事 潘多 余下 余额 苏州 任意 江西 江苏 付出 方向 邹城 熊猫 白云 秦皇 雷锋
    龙岗 邵东 钱包 武警 常德 温州 安徽 石门 朱门 任职 任教 方可 文体 安监 常委 任大 曾在 曾于 曾多 高价
    万达""".split()
)

#: Official titles: "胡厅长", "邓局长" address an office, not a private person (and are not masked).
OFFICIAL_TITLES = (
    "厅长", "局长", "处长", "科长", "县长", "市长", "省长", "书记", "主任", "部长", "院长", "所长", "站长", "队长",
    "村长", "镇长", "乡长", "区长", "州长", "委员", "代表", "主席", "总理", "总经理", "董事长", "校长", "组长",
)
MORE_NOT_NAME = (
    "高温", "高一", "高二", "高三", "初一", "初二", "初三", "任课", "文广", "安置", "龙头", "江南", "江北", "万元",
)

#: Characters that end a name (the name is followed by a verb, particle or punctuation).
NAME_STOP = frozenset(
    "的是在了和与及今住家从于说因等也都就还曾已被把向对给跟为到要想请我你他她它们姓某" "，。、！？；：,.!?;: \n\t"
)
