#!/usr/bin/python3
"""Peer for tests/bench/twitter_bench.sh: pages the same synthetic v2 timeline with tweepy 4.12
(Debian python3-tweepy), same fields, same time windows, against the local fake server, and
reports tweets/s, CPU us per tweet and peak RSS of this process.
  twitter_tweepy_peer.py ORIGIN USER_ID NEWEST_UNIX_S TWEETS WINDOW_MIN TWEET_FIELDS EXPANSIONS
                         MEDIA_FIELDS USER_FIELDS
REQUESTS_CA_BUNDLE must name the test CA."""
import datetime
import resource
import sys
import time

import tweepy

API_HOST = "https://api.twitter.com"


class LocalClient(tweepy.Client):
    """tweepy.Client whose requests go to ORIGIN: tweepy 4.12 hard-codes its host inside
    request(), so the session's request() swaps the origin before OAuth signs the URL."""

    def __init__(self, origin, **kw):
        super().__init__(**kw)
        send = self.session.request

        def request(method, url, *a, **k):
            if url.startswith(API_HOST):
                url = origin + url[len(API_HOST):]
            return send(method, url, *a, **k)

        self.session.request = request


def main():
    origin, uid, newest, tweets, window_min = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    tf, exp, mf, uf = sys.argv[6:10]
    c = LocalClient(origin, consumer_key="bench-consumer", consumer_secret="bench consumer secret",
                    access_token="bench-token", access_token_secret="bench token secret")
    got = pages = 0
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    oldest = newest - (tweets - 1) * 60
    end = newest
    iso = lambda s: datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    while end >= oldest:
        start = end - window_min * 60 + 1
        for resp in tweepy.Paginator(c.get_users_tweets, uid, max_results=100, start_time=iso(start),
                                     end_time=iso(end), tweet_fields=tf, expansions=exp, media_fields=mf,
                                     user_fields=uf, user_auth=True):
            pages += 1
            got += len(resp.data or [])
        end -= window_min * 60
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print("tweepy    fetch+parse     tweets=%d pages=%d wall=%.2fs tweets/s=%.0f cpu/tweet=%.1fus peak_rss=%dKiB"
          % (got, pages, wall, got / wall, cpu / got * 1e6, r1.ru_maxrss))
    if got != tweets:
        print("tweepy: expected %d tweets, got %d" % (tweets, got), file=sys.stderr)
        sys.exit(1)


main()
