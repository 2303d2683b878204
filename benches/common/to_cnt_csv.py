#!/usr/bin/env python3
"""coordnet's generated archive CSV (SRC) as coordination-network-toolkit's CSV (DST):
message_id,user_id,username,repost_id,reply_id,message,timestamp,urls. Timestamps are in
seconds; the archive's ids carry the millisecond time in their snowflake bits, and coordnet
uses it, so CNT gets the same milliseconds as fractional seconds.

    to_cnt_csv.py SRC DST
"""
import csv, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, newline="", encoding="utf-8") as f, open(dst, "w", newline="", encoding="utf-8") as g:
    r = csv.DictReader(f)
    w = csv.writer(g)
    w.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"])
    for row in r:
        tid = int(row["tweetid"])
        ms = (tid >> 22) + 1288834974657
        w.writerow([row["tweetid"], row["userid"], row["user_screen_name"],
                    row["retweet_tweetid"] if row["is_retweet"] in ("true", "True") else "",
                    row["in_reply_to_tweetid"], row["tweet_text"].replace("\n", " "),
                    f"{ms / 1000:.3f}", ""])
