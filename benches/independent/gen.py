#!/usr/bin/env python3
"""Independent tweet generator (stdlib only) in Twitter's IO-archive CSV layout.

Usage: python3 gen.py SCENARIO --seed S --out DIR [--accounts N --tweets T --days D]
Scenarios: fastring slow copypaste urlpush cells replyspam viral trending fans busy
           combined archive
Writes DIR/tweets.csv, DIR/truth.csv (account_id,network,role) and DIR/traps.csv
(trap,kind,item,account_id) for collections.
"""
import argparse
import bisect
import csv
import math
import os
import random
import string
from datetime import datetime, timezone, timedelta

TW_EPOCH = 1288834974657
START = datetime(2023, 3, 6, tzinfo=timezone.utc)
START_MS = int(START.timestamp() * 1000)
MIN = 60_000
HOUR = 3_600_000
DAY = 86_400_000

# local-hour activity profile (human): low at night, peaks lunch and evening
HUMAN_HOURS = [0.6, 0.35, 0.2, 0.12, 0.1, 0.15, 0.35, 0.7, 1.0, 1.1, 1.15, 1.2,
               1.35, 1.25, 1.15, 1.1, 1.1, 1.2, 1.35, 1.5, 1.65, 1.7, 1.45, 1.0]
HUMAN_MAX = max(HUMAN_HOURS)
HUMAN_CUM = []
_c = 0.0
for _w in HUMAN_HOURS:
    _c += _w
    HUMAN_CUM.append(_c)

ORGANIC_CLIENTS = (["Twitter for Android"] * 40 + ["Twitter for iPhone"] * 35 +
                   ["Twitter Web App"] * 20 + ["Twitter for iPad"] * 3 + ["TweetDeck"] * 2)
SYLL = ["ka", "lo", "mi", "ren", "tas", "vo", "ne", "dri", "pa", "sul", "ti", "mor",
        "gen", "ba", "xi", "qua", "fel", "zo", "hu", "ric", "den", "sa", "ply", "ot"]


def mkword(rng, a=1, b=3):
    return "".join(rng.choice(SYLL) for _ in range(rng.randint(a, b)))


class Gen:
    def __init__(self, seed, days):
        self.rng = random.Random(seed)
        self.days = days
        self.end_ms = START_MS + days * DAY
        self.seq = 0
        self.accounts = {}     # uid -> dict
        self.tweets = []       # list of dicts
        self.truth = {}        # uid -> (network, role)
        self.traps = []        # (trap, kind, item, uid)
        self.used_uids = set()
        rng = self.rng
        # vocabularies (shared English-like words + made-up topic words)
        base = ("the a to and of in is for on that this with you it be are we not have "
                "was but at they so just what all my your about from like get now people "
                "today time new good know think more one can will no out when how up "
                "news vote government city team game music love life world week day "
                "really great right back work police school health money market report "
                "video watch read live never again still best free big").split()
        self.words = base + [mkword(rng, 2, 3) for _ in range(3000)]
        # zipf weights for words
        self.word_cum = self._zipf_cum(len(self.words), 1.05)
        self.tags = [mkword(rng, 2, 4) for _ in range(4000)]
        self.tag_cum = self._zipf_cum(len(self.tags), 1.1)
        self.domains = [mkword(rng, 2, 3) + rng.choice([".com", ".net", ".org", ".co.uk", ".news"])
                        for _ in range(600)]
        self.dom_cum = self._zipf_cum(len(self.domains), 1.2)
        # organic "articles": URLs that several people may share over days
        self.articles = []
        self.art_cum = None

    # ---------- helpers ----------
    def _zipf_cum(self, n, s):
        cum, c = [], 0.0
        for k in range(1, n + 1):
            c += 1.0 / k ** s
            cum.append(c)
        return cum

    def pick(self, seq, cum):
        r = self.rng.random() * cum[-1]
        return seq[bisect.bisect_left(cum, r)]

    def new_uid(self):
        while True:
            u = str(self.rng.randint(10 ** 8, 2 * 10 ** 18))
            if u not in self.used_uids:
                self.used_uids.add(u)
                return u

    def snowflake(self, ms):
        self.seq += 1
        return ((ms - TW_EPOCH) << 22) | (self.rng.randint(0, 1023) << 12) | (self.seq & 0xFFF)

    def add_account(self, created=None, tz=None, client=None, followers=None, following=None,
                    lang="en", screen=None, kind="human"):
        rng = self.rng
        uid = self.new_uid()
        if created is None:
            # spread over 2008..2023, skewed to recent years
            y = 2023 - int(min(14.9, rng.expovariate(1 / 5.0)))
            created = datetime(y, rng.randint(1, 12), rng.randint(1, 28)).date()
            if created >= START.date():
                created = START.date() - timedelta(days=rng.randint(1, 300))
        if tz is None:
            tz = rng.choice([-8, -7, -6, -5, -5, -5, -4, -4, 0, 0, 1, 1, 1, 2, 3, 5, 8, 9, 10])
        if followers is None:
            followers = int(rng.lognormvariate(5.0, 1.8))
        if following is None:
            following = int(rng.lognormvariate(5.5, 1.2))
        if screen is None:
            screen = mkword(rng, 2, 4) + (str(rng.randint(0, 9999)) if rng.random() < 0.5 else "")
        a = dict(uid=uid, screen=screen, created=created, tz=tz,
                 client=client or rng.choice(ORGANIC_CLIENTS), followers=followers,
                 following=following, lang=lang, kind=kind, originals=[], pop=1.0)
        self.accounts[uid] = a
        return a

    def human_time(self, acc, day=None, lo=None, hi=None):
        """a time drawn from the account's diurnal profile"""
        rng = self.rng
        lo = START_MS if lo is None else lo
        hi = self.end_ms if hi is None else hi
        for _ in range(50):
            d = rng.randrange(self.days) if day is None else day
            h = bisect.bisect_left(HUMAN_CUM, rng.random() * HUMAN_CUM[-1])
            ms = START_MS + d * DAY + ((h - acc["tz"]) % 24) * HOUR + rng.randrange(HOUR)
            if lo <= ms < hi:
                return ms
        return rng.randrange(lo, hi)

    def human_ok(self, acc, ms):
        h = ((ms - START_MS) // HOUR + acc["tz"]) % 24
        return self.rng.random() < HUMAN_HOURS[int(h)] / HUMAN_MAX

    def text(self, n=None, extra=()):
        rng = self.rng
        n = n or rng.randint(5, 18)
        ws = [self.pick(self.words, self.word_cum) for _ in range(n)]
        ws.extend(extra)
        return " ".join(ws)

    def organic_tags(self):
        r = self.rng.random()
        if r < 0.7:
            return []
        if r < 0.92:
            return [self.pick(self.tags, self.tag_cum)]
        return list(dict.fromkeys(self.pick(self.tags, self.tag_cum) for _ in range(2)))

    def emit(self, acc, ms, text, kind="orig", src=None, tags=(), urls=(), mentions=(),
             client=None):
        """kind: orig, rt, reply, quote. src: the tweet dict acted on."""
        ms = int(ms)
        t = dict(ms=ms, id=self.snowflake(ms), uid=acc["uid"], kind=kind, tags=list(tags),
                 urls=list(urls), mentions=list(mentions), client=client or acc["client"],
                 reply_uid="", reply_tid="", quote_tid="", rt_uid="", rt_tid="", text=text)
        if kind == "rt":
            s = src
            t["rt_uid"], t["rt_tid"] = s["uid"], s["id"]
            sa = self.accounts.get(s["uid"])
            sname = sa["screen"] if sa else s.get("screen", "user")
            t["text"] = ("RT @%s: %s" % (sname, s["text"]))[:280]
            t["tags"], t["urls"] = list(s["tags"]), list(s["urls"])
            t["mentions"] = [s["uid"]] + [m for m in s["mentions"] if m != s["uid"]]
        elif kind == "reply":
            t["reply_uid"], t["reply_tid"] = src["uid"], src["id"]
            sa = self.accounts.get(src["uid"])
            t["text"] = "@%s %s" % (sa["screen"] if sa else "user", text)
            t["mentions"] = [src["uid"]] + list(mentions)
        elif kind == "quote":
            t["quote_tid"] = src["id"]
        self.tweets.append(t)
        if kind == "orig" or kind == "quote":
            acc["originals"].append(t)
        return t

    def url(self, domain=None):
        d = domain or self.pick(self.domains, self.dom_cum)
        return "https://%s/%s/%s" % (d, mkword(self.rng, 1, 2), self.rng.randint(1000, 999999))

    # ---------- organic background ----------
    def background(self, n_accounts, n_tweets):
        """heavy-tailed activity, diurnal rhythm, organic retweets/replies with log-normal delays"""
        rng = self.rng
        accs = [self.add_account() for _ in range(n_accounts)]
        for a in accs:
            a["pop"] = rng.lognormvariate(0, 1.6)
            a["act"] = min(2000.0, rng.paretovariate(1.15))   # heavy tail
            a["rt_share"] = rng.betavariate(2, 2.5)
        tot = sum(a["act"] for a in accs)
        # organic articles (shared URLs)
        self.articles = [self.url() for _ in range(max(200, n_tweets // 200))]
        self.art_cum = self._zipf_cum(len(self.articles), 1.0)
        plan = []
        for a in accs:
            lam = n_tweets * a["act"] / tot
            n = max(1, int(lam) + (1 if rng.random() < lam - int(lam) else 0))
            n_rt = sum(1 for _ in range(n) if rng.random() < a["rt_share"])
            n_rest = n - n_rt
            n_rep = sum(1 for _ in range(n_rest) if rng.random() < 0.2)
            n_q = sum(1 for _ in range(n_rest - n_rep) if rng.random() < 0.05)
            n_orig = n_rest - n_rep - n_q
            plan.append((a, n_orig, n_rt, n_rep, n_q))
        for a, n_orig, _, _, _ in plan:
            for _ in range(n_orig):
                self.organic_original(a)
        self.bg_accounts = accs
        self._build_source_index(accs)
        for a, _, n_rt, n_rep, n_q in plan:
            for _ in range(n_rt):
                self.organic_action(a, "rt")
            for _ in range(n_rep):
                self.organic_action(a, "reply")
            for _ in range(n_q):
                self.organic_action(a, "quote")
        return accs

    def organic_original(self, a, ms=None, extra_tags=()):
        rng = self.rng
        ms = self.human_time(a) if ms is None else ms
        tags = self.organic_tags() + list(extra_tags)
        urls = [self.pick(self.articles, self.art_cum)] if rng.random() < 0.12 else []
        ment = []
        if rng.random() < 0.15 and getattr(self, "bg_accounts", None):
            ment = [rng.choice(self.bg_accounts)["uid"]]
        txt = self.text(extra=["#" + t for t in tags] + urls)
        return self.emit(a, ms, txt, tags=tags, urls=urls, mentions=ment)

    def _build_source_index(self, accs):
        src, cum, c = [], [], 0.0
        for a in accs:
            for t in a["originals"]:
                w = a["pop"] * t.setdefault("viral", self.rng.lognormvariate(0, 1.0))
                c += w
                src.append(t)
                cum.append(c)
        self.src, self.src_cum = src, cum

    def organic_delay(self, kind):
        # log-normal: retweet median ~50 min (seconds..days), reply median ~25 min
        if kind == "rt":
            return self.rng.lognormvariate(math.log(50 * 60), 1.9) * 1000
        return self.rng.lognormvariate(math.log(25 * 60), 1.7) * 1000

    def organic_action(self, a, kind, pool=None, pool_cum=None):
        rng = self.rng
        pool = pool or self.src
        pool_cum = pool_cum or self.src_cum
        for _ in range(30):
            s = pool[bisect.bisect_left(pool_cum, rng.random() * pool_cum[-1])]
            if s["uid"] == a["uid"]:
                continue
            ms = s["ms"] + max(2000, self.organic_delay(kind))
            if ms >= self.end_ms or not self.human_ok(a, ms):
                continue
            if kind == "rt":
                return self.emit(a, ms, "", kind="rt", src=s)
            if kind == "reply":
                return self.emit(a, ms, self.text(rng.randint(3, 12)), kind="reply", src=s)
            return self.emit(a, ms, self.text(), kind="quote", src=s)
        return None

    def mark(self, accs, network, role):
        for a in accs:
            self.truth[a["uid"]] = (network, role)

    # ---------- planted operations ----------
    def op_young(self, n, spread_days=40, client=None, tzs=(3,)):
        rng = self.rng
        base = START.date() - timedelta(days=rng.randint(30, 200))
        return [self.add_account(created=base + timedelta(days=rng.randint(0, spread_days)),
                                 client=client or rng.choice(ORGANIC_CLIENTS),
                                 followers=int(rng.lognormvariate(3.0, 1.0)),
                                 following=int(rng.lognormvariate(5.5, 0.8)),
                                 tz=rng.choice(tzs)) for _ in range(n)]

    def camouflage(self, accs, per_account=(3, 15)):
        """a few organic-looking actions for op accounts"""
        rng = self.rng
        for a in accs:
            for _ in range(rng.randint(*per_account)):
                if rng.random() < 0.6:
                    self.organic_action(a, "rt")
                else:
                    self.organic_original(a)

    def op_core_amp(self, name, n_core, n_amp, per_day=(4, 10), share=(0.3, 0.8),
                    delay=("fast",), tag_prob=0.5, client=None, young=True, tzs=(3,),
                    camo=(3, 15), retweet_cores_prob=0.0):
        rng = self.rng
        if young:
            cores = self.op_young(n_core, client=client, tzs=tzs)
            amps = self.op_young(n_amp, client=client, tzs=tzs)
        else:
            cores = [self.add_account() for _ in range(n_core)]
            amps = [self.add_account() for _ in range(n_amp)]
        tag = mkword(rng, 3, 4)
        for c in cores:
            c["pop"] = 3.0
        for d in range(self.days):
            for c in cores:
                for _ in range(rng.randint(*per_day)):
                    ms = self.human_time(c, day=d)
                    tags = [tag] if rng.random() < tag_prob else []
                    urls = [self.url()] if rng.random() < 0.2 else []
                    s = self.emit(c, ms, self.text(extra=["#" + t for t in tags] + urls),
                                  tags=tags, urls=urls)
                    k = rng.uniform(*share)
                    for a in amps:
                        if rng.random() >= k:
                            continue
                        if delay[0] == "fast":        # seconds to ~2 minutes
                            dl = min(150_000, max(3000, rng.lognormvariate(math.log(35_000), 0.7)))
                        elif delay[0] == "slow":      # scheduled hours later, flat
                            dl = rng.uniform(delay[1] * HOUR, delay[2] * HOUR)
                            dl = dl - (dl % (15 * MIN)) + rng.randrange(60_000)  # :00/:15 slots
                        else:                         # human-like
                            dl = rng.lognormvariate(math.log(40 * 60_000), 1.5)
                        if s["ms"] + dl < self.end_ms:
                            self.emit(a, s["ms"] + dl, "", kind="rt", src=s)
                    for c2 in cores:
                        if c2 is not c and rng.random() < retweet_cores_prob:
                            self.emit(c2, s["ms"] + rng.uniform(20_000, 600_000), "", kind="rt", src=s)
        if camo:
            self.camouflage(cores + amps, camo)
        self.mark(cores, name, "core")
        self.mark(amps, name, "amplifier")
        return cores, amps

    def op_copypaste(self, name, n, messages, share=(0.4, 0.8), tzs=(3,)):
        rng = self.rng
        accs = self.op_young(n, spread_days=400, tzs=tzs)
        tag = mkword(rng, 3, 4)
        emojis = ["", "!", "!!", " 🙏", " 👍", " 🔥", ".", " ✊"]
        for m in range(messages):
            tmpl = self.text(rng.randint(10, 18)).split()
            t0 = self.human_time(accs[0], day=rng.randrange(self.days))
            k = rng.uniform(*share)
            for a in accs:
                if rng.random() >= k:
                    continue
                ws = list(tmpl)
                for _ in range(rng.randint(0, 2)):   # small edits
                    i = rng.randrange(len(ws))
                    r = rng.random()
                    if r < 0.4:
                        ws[i] = self.pick(self.words, self.word_cum)
                    elif r < 0.7:
                        del ws[i]
                    else:
                        ws.insert(i, self.pick(self.words, self.word_cum))
                txt = " ".join(ws) + rng.choice(emojis) + " #" + tag
                if rng.random() < 0.3:
                    txt = txt.capitalize()
                ms = t0 + rng.lognormvariate(math.log(8 * MIN), 0.8)
                if ms < self.end_ms:
                    self.emit(a, ms, txt, tags=[tag])
        self.camouflage(accs, (2, 8))
        self.mark(accs, name, "core")
        return accs

    def op_urlpush(self, name, n, links_per_day=(3, 6), share=(0.4, 0.75)):
        rng = self.rng
        accs = self.op_young(n, spread_days=300, tzs=(2, 3))
        doms = [mkword(rng, 2, 3) + "-news.info" for _ in range(3)]
        for d in range(self.days):
            for _ in range(rng.randint(*links_per_day)):
                u = self.url(rng.choice(doms))
                head = self.text(rng.randint(6, 10))
                t0 = self.human_time(accs[0], day=d)
                k = rng.uniform(*share)
                for a in accs:
                    if rng.random() >= k:
                        continue
                    ms = t0 + rng.lognormvariate(math.log(3 * MIN), 0.7)
                    txt = (self.text(rng.randint(2, 6)) + " " + head if rng.random() < 0.5
                           else head) + " " + u
                    if ms < self.end_ms:
                        self.emit(a, ms, txt, urls=[u])
        self.camouflage(accs, (3, 12))
        self.mark(accs, name, "core")
        return accs

    def op_replyspam(self, name, n, targets, share=(0.5, 0.8)):
        rng = self.rng
        accs = self.op_young(n, spread_days=60, tzs=(3,))
        # targets: popular organic originals
        popular = sorted(self.src, key=lambda t: -self.accounts[t["uid"]]["pop"])[:3000]
        lines = [self.text(rng.randint(5, 10)) for _ in range(6)]
        for _ in range(targets):
            s = rng.choice(popular)
            k = rng.uniform(*share)
            for a in accs:
                if rng.random() >= k:
                    continue
                ms = s["ms"] + rng.lognormvariate(math.log(4 * MIN), 0.7)
                txt = rng.choice(lines) + " " + self.text(rng.randint(1, 4))
                if ms < self.end_ms:
                    self.emit(a, ms, txt, kind="reply", src=s)
        self.camouflage(accs, (3, 10))
        self.mark(accs, name, "amplifier")
        return accs

    # ---------- traps ----------
    def trap_viral(self, trap, n_rt, author=None):
        rng = self.rng
        author = author or rng.choice(self.bg_accounts)
        d = rng.randrange(1, self.days - 1)
        ms0 = self.human_time(author, day=d)
        s = self.emit(author, ms0, self.text() + " " + self.url(), urls=[])
        cands = rng.sample(self.bg_accounts, min(len(self.bg_accounts), n_rt))
        for a in cands:
            if a is author:
                continue
            # within an hour: most in the first minutes, decaying
            dl = min(3_600_000, rng.expovariate(1 / (12 * MIN))) + rng.randint(2000, 20000)
            self.emit(a, ms0 + dl, "", kind="rt", src=s)
            self.traps.append((trap, "viral-cascade", str(s["id"]), a["uid"]))

    def trap_trending(self, trap, n_acc):
        rng = self.rng
        tag = "live" + mkword(rng, 2, 3)
        d = rng.randrange(1, self.days - 1)
        t0 = START_MS + d * DAY + 19 * HOUR
        cands = rng.sample(self.bg_accounts, min(len(self.bg_accounts), n_acc))
        posted = []
        for a in cands:
            for _ in range(1 + (rng.random() < 0.3) + (rng.random() < 0.1)):
                ms = t0 + rng.gauss(45 * MIN, 25 * MIN)
                if rng.random() < 0.25 and posted:
                    s = rng.choice(posted[:50])
                    self.emit(a, ms + 60_000, "", kind="rt", src=s)
                else:
                    posted.append(self.organic_original(a, ms=ms, extra_tags=[tag]))
            self.traps.append((trap, "trending-hashtag", tag, a["uid"]))

    def trap_fans(self, trap, n, n_stars=5, days_active=None):
        """fan/news community: retweets each other a lot, human delays & rhythms"""
        rng = self.rng
        tag = "fan" + mkword(rng, 2, 3)
        stars = [self.add_account(followers=int(rng.lognormvariate(11, 1))) for _ in range(n_stars)]
        fans = [self.add_account() for _ in range(n)]
        members = stars + fans
        for a in stars:
            a["pop"] = 5.0
        for a in fans:
            a["pop"] = rng.lognormvariate(0, 0.8)
        for a in members:
            per_day = (rng.uniform(2, 8) if a in stars else rng.paretovariate(1.5) * 0.7)
            for d in range(self.days):
                for _ in range(int(per_day) + (rng.random() < per_day % 1)):
                    tags = [tag] if rng.random() < 0.5 else self.organic_tags()
                    self.emit(a, self.human_time(a, day=d), self.text(extra=["#" + t for t in tags]),
                              tags=tags)
        src, cum, c = [], [], 0.0
        for a in members:
            for t in a["originals"]:
                c += a["pop"]
                src.append(t)
                cum.append(c)
        for a in fans:
            rate = rng.paretovariate(1.3) * 3   # community retweets per day
            for _ in range(int(rate * self.days)):
                self.organic_action(a, "rt", src, cum)
            for _ in range(int(rate * self.days * 0.2)):
                self.organic_action(a, "reply", src, cum)
            for _ in range(rng.randint(0, 10)):
                self.organic_action(a, "rt")
        for a in members:
            self.traps.append((trap, "fan-community", tag, a["uid"]))
        return members

    def trap_busy(self, trap, n=8):
        rng = self.rng
        out = []
        for i in range(n):
            a = self.add_account(client=rng.choice(["dlvr.it", "IFTTT", "Buffer", "twitterfeed",
                                                    "Hootsuite Inc."]),
                                 followers=int(rng.lognormvariate(8, 1.5)))
            a["pop"] = 2.0
            dom = mkword(rng, 2, 3) + rng.choice([".com", ".news"])
            per_day = rng.randint(80, 300)
            human = rng.random() < 0.4
            for d in range(self.days):
                for _ in range(per_day):
                    ms = (self.human_time(a, day=d) if human
                          else START_MS + d * DAY + rng.randrange(DAY))
                    u = self.url(dom)
                    tags = self.organic_tags()
                    self.emit(a, ms, self.text(rng.randint(6, 12)) + " " + u, urls=[u], tags=tags)
            self.traps.append((trap, "busy-account", a["screen"], a["uid"]))
            out.append(a)
        return out

    # ---------- output ----------
    def write(self, out, archive=False):
        os.makedirs(out, exist_ok=True)
        self.tweets.sort(key=lambda t: t["ms"])
        cols = ["tweetid", "userid", "user_screen_name", "account_creation_date",
                "follower_count", "following_count", "tweet_language", "tweet_text",
                "tweet_time", "tweet_client_name", "in_reply_to_userid",
                "in_reply_to_tweetid", "quoted_tweet_tweetid", "is_retweet",
                "retweet_userid", "retweet_tweetid", "hashtags", "urls", "user_mentions"]

        def plist(xs):
            return "[" + ", ".join("'%s'" % x for x in xs) + "]"
        keep = None
        if archive:
            keep = set(self.truth)
        n = 0
        with open(os.path.join(out, "tweets.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, quoting=csv.QUOTE_ALL)
            w.writerow(cols)
            for t in self.tweets:
                if keep is not None and t["uid"] not in keep:
                    continue
                a = self.accounts[t["uid"]]
                tt = datetime.fromtimestamp(t["ms"] / 1000, tz=timezone.utc)
                w.writerow([t["id"], a["uid"], a["screen"], a["created"].isoformat(),
                            a["followers"], a["following"], a["lang"], t["text"],
                            tt.strftime("%Y-%m-%d %H:%M"), t["client"], t["reply_uid"],
                            t["reply_tid"], t["quote_tid"],
                            "True" if t["kind"] == "rt" else "False", t["rt_uid"], t["rt_tid"],
                            plist(t["tags"]), plist(t["urls"]), plist(t["mentions"])])
                n += 1
        posted = {t["uid"] for t in self.tweets}
        with open(os.path.join(out, "truth.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["account_id", "network", "role"])
            for uid in sorted(posted):
                if keep is not None and uid not in keep:
                    continue
                net, role = self.truth.get(uid, ("organic", "organic"))
                w.writerow([uid, net, role])
        if not archive:
            with open(os.path.join(out, "traps.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["trap", "kind", "item", "account_id"])
                seen = set()
                for tr in self.traps:
                    if (tr[0], tr[3]) in seen or tr[3] in self.truth:
                        continue
                    seen.add((tr[0], tr[3]))
                    w.writerow(tr)
        print("%s: %d tweets, %d accounts, %d planted, %d trap rows" % (
            out, n, len(posted if keep is None else keep & posted), len(self.truth),
            len(self.traps)))


# ---------------- archive ----------------
def archive(g, a_amps=1800):
    rng = g.rng
    # outside world: accounts the ops retweet, not written (archive = only suspects)
    g.articles = [g.url() for _ in range(500)]
    g.art_cum = g._zipf_cum(len(g.articles), 1.0)
    outside = [g.add_account() for _ in range(3000)]
    for a in outside:
        a["pop"] = rng.lognormvariate(0, 1.5)
        for _ in range(rng.randint(1, 20)):
            g.organic_original(a)
    g.bg_accounts = outside
    g._build_source_index(outside)
    # A: retweet-driven, 40 cores + 1800 amplifiers, fast-ish retweets, some retweets of outside
    g.op_core_amp("opA-retweet", 40, a_amps, per_day=(3, 8), share=(0.02, 0.10), delay=("fast",),
                  tag_prob=0.4, client="Twitter Web App", camo=(5, 30), tzs=(3,))
    # B: hashtag campaign: a new hashtag every day, varied words, 700 accounts, own posts
    accs = g.op_young(700, spread_days=500, tzs=(5, 6))
    for d in range(g.days):
        tag = mkword(rng, 3, 4)
        for a in accs:
            if rng.random() < 0.5:
                for _ in range(rng.randint(1, 6)):
                    ms = g.human_time(a, day=d)
                    g.emit(a, ms, g.text(rng.randint(6, 14), extra=["#" + tag]), tags=[tag])
    g.camouflage(accs, (2, 10))
    g.mark(accs, "opB-hashtag", "core")
    # C: news-feed style: 30 cores posting links to own domains, 600 amplifiers at human delays
    cores = g.op_young(30, spread_days=100, client="dlvr.it", tzs=(1,))
    amps = g.op_young(600, spread_days=300, tzs=(1, 2))
    for c in cores:
        c["dom"] = mkword(rng, 2, 3) + "-daily.com"
    for d in range(g.days):
        for c in cores:
            for _ in range(rng.randint(10, 30)):
                ms = START_MS + d * DAY + rng.randrange(DAY)
                u = g.url(c["dom"])
                s = g.emit(c, ms, g.text(rng.randint(6, 12)) + " " + u, urls=[u])
                for a in rng.sample(amps, rng.randint(0, 12)):
                    dl = rng.lognormvariate(math.log(30 * MIN), 1.3)
                    if ms + dl < g.end_ms:
                        g.emit(a, ms + dl, "", kind="rt", src=s)
    g.camouflage(amps, (5, 20))
    g.mark(cores, "opC-newsfeed", "core")
    g.mark(amps, "opC-newsfeed", "amplifier")
    # D: small: 2 cores + 10 amplifiers, slow-ish human retweets + replies at targets
    g.op_core_amp("opD-small", 2, 10, per_day=(2, 5), share=(0.4, 0.9), delay=("human",),
                  tag_prob=0.3, young=True, tzs=(8,), camo=(10, 40))
    # E: persona accounts: 400 accounts, own texts, sparse mutual retweets at human delays
    acc_e = g.op_young(400, spread_days=60, tzs=(3,))
    for a in acc_e:
        a["pop"] = 1.0
    for a in acc_e:
        for d in range(g.days):
            for _ in range(rng.randint(0, 4)):
                g.organic_original(a, ms=g.human_time(a, day=d))
    src = [t for a in acc_e for t in a["originals"]]
    cum = list(range(1, len(src) + 1))
    for a in acc_e:
        for _ in range(rng.randint(5, 40)):
            g.organic_action(a, "rt", src, cum)
        for _ in range(rng.randint(0, 15)):
            g.organic_action(a, "rt")
    g.mark(acc_e, "opE-persona", "core")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--accounts", type=int, default=20000)
    ap.add_argument("--tweets", type=int, default=200000)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--opa-amps", type=int, default=1800, help="archive: amplifiers of operation A")
    a = ap.parse_args()
    g = Gen(a.seed, a.days)
    sc = a.scenario
    if sc == "archive":
        archive(g, a.opa_amps)
        g.write(a.out, archive=True)
        return
    g.background(a.accounts, a.tweets)
    if sc in ("fastring", "combined"):
        g.op_core_amp("fastring", 4, 120, per_day=(4, 10), delay=("fast",), camo=(3, 15))
    if sc in ("slow", "combined"):
        g.op_core_amp("slow", 3, 60, per_day=(3, 8), delay=("slow", 2, 14), young=False,
                      tag_prob=0.2, camo=(5, 20))
    if sc in ("copypaste", "combined"):
        g.op_copypaste("copypaste", 80, messages=3 * a.days)
    if sc in ("urlpush", "combined"):
        g.op_urlpush("urlpush", 50)
    if sc in ("cells", "combined"):
        for i in range(8):
            g.op_core_amp("cell%d" % i, 1, rng_n(g, 4, 9), per_day=(1, 3), share=(0.6, 1.0),
                          delay=("fast",), camo=(2, 10), tzs=(rng_n(g, -6, 9),),
                          client=g.rng.choice(ORGANIC_CLIENTS))
    if sc in ("replyspam", "combined"):
        g.op_replyspam("replyspam", 40, targets=4 * a.days)
    if sc in ("viral", "combined"):
        g.trap_viral("trap-viral", 3000)
    if sc in ("trending", "combined"):
        g.trap_trending("trap-trending", 4000)
    if sc in ("fans", "combined"):
        g.trap_fans("trap-fans", 400)
    if sc in ("busy", "combined"):
        g.trap_busy("trap-busy", 8)
    g.write(a.out)


def rng_n(g, a, b):
    return g.rng.randint(a, b)


if __name__ == "__main__":
    main()
