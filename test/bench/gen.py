#!/usr/bin/env python3
"""Deterministic generator of realistic journal data for the journaling benchmarks.

Usage:
    gen.py [--entries N] [--users U] [--seed S] [--format FMT] [--out FILE]
           [--batch B] [--start YYYY-MM-DD] [--days D]

Options:
    --entries N   number of journal entries (default 10000)
    --users U     number of users the entries belong to (default 100)
    --seed S      seed of the random generator (default 42); the same seed and
                  options always give byte-identical output, whatever the format
    --format FMT  what to write (default copy):
                  copy         tab-separated rows for
                               COPY journaling.journal_entries (user_id, id, title,
                               content, entry_date, mood_score, tags, created_at) FROM STDIN
                  users-copy   the U users, for COPY journaling.users (id, username) FROM STDIN
                  sql          INSERT statements: the users, then the entries, B rows
                               per statement
                  legacy-json  a "Journaling AI" data/entries.json: one object keyed by
                               entry id, json.dumps(indent=2, ensure_ascii=True) layout,
                               mood as the nearest word (very_negative..very_positive),
                               naive local created_at "YYYY-MM-DD HH:MM:SS.ffffff";
                               the format is single-user, so user ids are not written
    --out FILE    write to FILE instead of standard output
    --batch B     rows per INSERT statement with --format sql (default 100)
    --start DATE  first day of the entries (default 2022-01-01)
    --days D      number of days the entries are spread over (default 1095, ~3 years)

The data:
    - entries arrive in time order over the span; users are unequally active
      (lognormal activity weights);
    - content length is lognormal around a median of 250 words, at least 5
      words and at most 50 000 bytes; sentences mix journaling templates with
      words from an embedded English vocabulary; a few sentences carry accented
      words or an emoji, and rare lines a tab or a backslash;
    - titles have 3-8 words, 10% are NULL;
    - mood_score is in [-1, 1] with 2 decimals, ~15% NULL, and drifts per user
      over time (a baseline, a slow trend and a seasonal swing, plus noise);
    - tags: 0-5 distinct tags from a fixed list;
    - ids are version-4 shaped uuids drawn from the seeded generator.

Output is streamed row by row, so a million entries need little memory.
"""

import argparse
import bisect
import datetime
import json
import math
import random
import sys
import uuid

COMMON_WORDS = """
the be to of and a in that have i it for not on with he as you do at this but his by from
they we say her she or an will my one all would there their what so up out if about who get
which go me when make can like time no just him know take people into year your good some
could them see other than then now look only come its over think also back after use two how
our work first well way even new want because any these give day most us is was are were been
has had did said went got made very really still much more less again never always often
maybe already almost enough though while before since until during through without between
under around home house room kitchen office desk car bus train street city park garden window
door bed table coffee tea breakfast lunch dinner food meal morning afternoon evening night
today yesterday tomorrow week weekend month hour minute moment little long short big small
old young early late hard easy right wrong better worse best worst last next same different
thing things something nothing everything someone anyone everyone place world life part hand
head eyes face body mind heart voice word words idea question answer problem reason story
book phone email message call meeting project plan list note page music song movie show game
walk run ran read write wrote talk talked tell told ask asked feel felt seem seemed try tried
leave left keep kept start started stop stopped finish finished help helped need needed turn
turned move moved play played live lived believe bring brought happen happened sit sat stand
stood lose lost pay paid meet met learn learned change changed lead understand understood
watch watched follow followed create speak spoke spend spent grow grew open opened walked win
offer remember remembered love loved consider appear buy bought wait waited serve die send
sent expect expected build stay stayed fall fell cut reach kill remain suggest raise pass sell
require report decide decided pull pulled hope hoped wish wished forget forgot cook cooked
clean cleaned drive drove rest rested sleep slept wake woke woken dream dreamed laugh laughed
cry cried smile smiled worry worried breathe breathed notice noticed realize realized
"""

JOURNAL_WORDS = """
happy sad anxious calm tired exhausted grateful thankful angry frustrated hopeful lonely
content stressed overwhelmed relaxed excited nervous proud ashamed guilty peaceful restless
motivated unmotivated energized drained irritable curious confident insecure jealous bored
inspired hurt relieved disappointed scared safe loved supported heard ignored focused
distracted productive lazy sleepy rested refreshed sore sick healthy
work job boss manager colleague coworker team deadline presentation interview promotion
salary client review feedback workload overtime commute career burnout
family mom dad mother father sister brother partner husband wife kids son daughter baby
grandma grandpa friend friends neighbor dog cat
sleep insomnia nap dream nightmare alarm bedtime pillow
exercise gym yoga running jog swim bike hike stretch workout steps weights
therapy therapist meditation mindfulness journal journaling gratitude boundaries anxiety
depression mood habit habits routine goal goals progress setback patience
rain sunshine snow weather cold warm autumn spring summer winter
"""

ACCENTED = ["café", "naïve", "résumé", "jalapeño", "crème brûlée", "déjà vu", "façade",
            "fiancé", "São Paulo", "Zürich", "piñata", "über", "rosé", "Noël", "señora"]
EMOJI = ["😊", "😔", "🙏", "💪", "☕", "😴", "❤️", "🌧️", "🎉", "😤"]

FEELINGS = """happy sad anxious calm tired grateful angry frustrated hopeful lonely content
stressed overwhelmed relaxed excited nervous proud guilty peaceful restless motivated
drained irritable confident bored inspired relieved disappointed""".split()
ACTIVITIES = """work, the meeting, my run, yoga, dinner with friends, the call with mom, therapy,
a long walk, the gym, cleaning the house, a nap, reading, grocery shopping, the commute,
the presentation, lunch with my sister, meditation, a bike ride, the deadline""".replace("\n", " ").split(", ")
TEMPLATES = [
    "Today I felt {f} after {a}.",
    "I woke up feeling {f} and it lasted most of the {t}.",
    "Spent the {t} on {a} and honestly felt {f}.",
    "Not sure why, but I have been {f} since {a}.",
    "Grateful for {a} today.",
    "Slept badly again, so the {t} felt heavy.",
    "I want to remember how {f} I felt during {a}.",
    "Note to self: less screen time before bed, more {a}.",
    "Talked to my therapist about feeling {f}.",
    "Three things went well: {a}, {b}, and a quiet {t}.",
]
TIMES_OF_DAY = ["morning", "afternoon", "evening", "night", "day", "weekend"]

TAGS = """work family health sleep exercise gratitude anxiety stress relationships friends
therapy goals reflection travel food money self-care mindfulness creativity reading
parenting career mood-tracking weekend nature""".split()
TAG_COUNT_WEIGHTS = [20, 25, 25, 15, 10, 5]          # for 0..5 tags

MOOD_WORDS = [(-1.0, "very_negative"), (-0.5, "negative"), (0.0, "neutral"),
              (0.5, "positive"), (1.0, "very_positive")]
MAX_CONTENT_BYTES = 50000
LEGACY_KEYS_SINCE = datetime.date(2022, 7, 1)        # older records lack the later-added keys


def parse_args(argv):
    p = argparse.ArgumentParser(description="Deterministic generator of journal data.")
    p.add_argument("--entries", type=int, default=10000)
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--format", default="copy",
                   choices=["copy", "users-copy", "sql", "legacy-json"])
    p.add_argument("--out")
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--start", type=datetime.date.fromisoformat,
                   default=datetime.date(2022, 1, 1))
    p.add_argument("--days", type=int, default=1095)
    args = p.parse_args(argv)
    if args.entries < 0 or args.users < 1 or args.batch < 1 or args.days < 1:
        p.error("--entries must be >= 0; --users, --batch and --days >= 1")
    return args


def rng_uuid(rng):
    """A version-4 shaped uuid from the seeded generator."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class User:
    """A user with an activity weight and a mood curve over time."""

    def __init__(self, rng, index):
        self.id = rng_uuid(rng)
        self.username = "user%05d" % index
        self.activity = rng.lognormvariate(0.0, 1.0)
        self.base = rng.uniform(-0.4, 0.5)
        self.trend = rng.uniform(-0.5, 0.5)           # change over the whole span
        self.swing = rng.uniform(0.05, 0.35)
        self.period = rng.uniform(60.0, 365.0)        # days
        self.phase = rng.uniform(0.0, 2 * math.pi)

    def mood(self, rng, day, span):
        """Mood on a given day: drifting curve plus noise, in [-1, 1], 2 decimals."""
        m = (self.base + self.trend * day / span
             + self.swing * math.sin(2 * math.pi * day / self.period + self.phase)
             + rng.gauss(0.0, 0.25))
        return round(min(1.0, max(-1.0, m)), 2)


class TextMaker:
    """Sentences, titles and contents from the embedded vocabulary."""

    def __init__(self, rng):
        self.rng = rng
        self.words = COMMON_WORDS.split() + JOURNAL_WORDS.split()
        # Zipf-like weights: common words first, so "the" is far more frequent.
        weights = [1.0 / (i + 10) for i in range(len(self.words))]
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def some_words(self, n):
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def sentence(self):
        rng = self.rng
        if rng.random() < 0.3:
            s = rng.choice(TEMPLATES).format(
                f=rng.choice(FEELINGS), a=rng.choice(ACTIVITIES), b=rng.choice(ACTIVITIES),
                t=rng.choice(TIMES_OF_DAY))
        else:
            words = self.some_words(rng.randint(5, 18))
            if rng.random() < 0.01:
                words.insert(rng.randrange(len(words)), rng.choice(ACCENTED))
            s = " ".join(words)
            s = s[0].upper() + s[1:] + rng.choice(".....!?")
        if rng.random() < 0.003:
            s += " " + rng.choice(EMOJI)
        return s

    def content(self, target_words):
        """Paragraphs of sentences until about target_words words."""
        rng = self.rng
        paragraphs = []
        nwords = 0
        nbytes = 0
        while nwords < target_words and nbytes < MAX_CONTENT_BYTES:
            para = []
            for _ in range(rng.randint(2, 7)):
                s = self.sentence()
                para.append(s)
                nwords += s.count(" ") + 1
                nbytes += len(s.encode()) + 1
                if nwords >= target_words:
                    break
            if rng.random() < 0.03:
                para.append("\n- todo:\t" + " ".join(self.some_words(3)))
            if rng.random() < 0.01:
                para.append("(saved to C:\\Users\\me\\notes.txt)")
            paragraphs.append(" ".join(para))
        text = "\n\n".join(paragraphs)
        raw = text.encode()
        if len(raw) > MAX_CONTENT_BYTES:
            cut = raw.rfind(b" ", 0, MAX_CONTENT_BYTES)
            text = raw[:cut].decode()
        return text

    def title(self):
        words = self.some_words(self.rng.randint(3, 8))
        return " ".join(words).capitalize()


def entries(args):
    """Yield one dict per entry, in time order; every format sees the same values."""
    rng = random.Random(args.seed)
    users = [User(rng, i + 1) for i in range(args.users)]
    cum_activity = []
    total = 0.0
    for u in users:
        total += u.activity
        cum_activity.append(total)
    text = TextMaker(rng)
    span = float(args.days)
    step = args.days * 86400.0 / max(args.entries, 1)
    for i in range(args.entries):
        user = users[min(bisect.bisect(cum_activity, rng.random() * total), len(users) - 1)]
        # Time order with jitter inside the entry's slot, biased to the evening.
        day = args.start + datetime.timedelta(days=int((i + rng.random()) * step // 86400))
        hour = min(23, max(6, int(rng.gauss(20.5, 3.0))))
        micro = rng.randrange(1000000) if rng.random() < 0.98 else 0
        created = datetime.datetime.combine(
            day, datetime.time(hour, rng.randrange(60), rng.randrange(60), micro))
        day_index = (day - args.start).days
        target = int(min(8000, max(5, rng.lognormvariate(math.log(250), 0.8))))
        title = text.title() if rng.random() >= 0.10 else None
        mood = user.mood(rng, day_index, span) if rng.random() >= 0.15 else None
        tags = rng.sample(TAGS, rng.choices(range(6), weights=TAG_COUNT_WEIGHTS)[0])
        yield {
            "user_id": user.id,
            "id": rng_uuid(rng),
            "title": title,
            "content": text.content(target),
            "created": created,
            "mood": mood,
            "tags": tags,
            # legacy-only fields, drawn for every format so ids stay in step
            "edited_after": rng.randrange(1, 7200) if rng.random() < 0.2 else 0,
            "iso_updated": rng.random() < 0.3,
            "favorite": rng.random() < 0.1,
            "confidence": round(rng.uniform(0.5, 0.99), 2),
        }


def copy_text(s):
    """A value in COPY text format (NULL as \\N)."""
    if s is None:
        return "\\N"
    return (s.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def array_literal(items):
    """A text[] literal, elements quoted when array syntax needs it."""
    out = []
    for t in items:
        if t == "" or t.upper() == "NULL" or any(c in t for c in ' ,{}"\\\t\n'):
            t = '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(t)
    return "{" + ",".join(out) + "}"


def created_utc(e):
    """created_at as a timestamptz literal (the generated clock is UTC)."""
    return e["created"].isoformat(sep=" ") + "+00"


def write_copy(args, out):
    for e in entries(args):
        out.write("\t".join((
            str(e["user_id"]), str(e["id"]), copy_text(e["title"]), copy_text(e["content"]),
            e["created"].date().isoformat(), "\\N" if e["mood"] is None else "%.2f" % e["mood"],
            copy_text(array_literal(e["tags"])), created_utc(e))) + "\n")


def write_users_copy(args, out):
    rng = random.Random(args.seed)
    for i in range(args.users):
        u = User(rng, i + 1)
        out.write("%s\t%s\n" % (u.id, u.username))


def sql_literal(s):
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


def write_sql(args, out):
    rng = random.Random(args.seed)
    users = [User(rng, i + 1) for i in range(args.users)]
    out.write("SET standard_conforming_strings = on;\n")
    for first in range(0, len(users), args.batch):
        out.write("INSERT INTO journaling.users (id, username) VALUES\n")
        out.write(",\n".join("('%s', %s)" % (u.id, sql_literal(u.username))
                             for u in users[first:first + args.batch]) + ";\n")
    batch = []

    def flush():
        out.write("INSERT INTO journaling.journal_entries (user_id, id, title, content, "
                  "entry_date, mood_score, tags, created_at) VALUES\n")
        out.write(",\n".join(batch) + ";\n")
        batch.clear()

    for e in entries(args):
        tags = ("ARRAY[%s]::text[]" % ", ".join(sql_literal(t) for t in e["tags"])
                if e["tags"] else "'{}'::text[]")
        batch.append("('%s', '%s', %s, %s, '%s', %s, %s, '%s')" % (
            e["user_id"], e["id"], sql_literal(e["title"]), sql_literal(e["content"]),
            e["created"].date().isoformat(), "NULL" if e["mood"] is None else "%.2f" % e["mood"],
            tags, created_utc(e)))
        if len(batch) == args.batch:
            flush()
    if batch:
        flush()


def mood_word(mood):
    """The legacy mood word nearest to a numeric mood (ties go to the milder word)."""
    if mood is None:
        return None
    return min(MOOD_WORDS, key=lambda mw: (abs(mw[0] - mood), abs(mw[0])))[1]


def legacy_record(e):
    """One Entry.model_dump() as the Journaling AI app wrote it."""
    created = e["created"]
    updated = created + datetime.timedelta(seconds=e["edited_after"])
    title = e["title"] if e["title"] is not None else created.strftime("Journal entry - %b %d")
    rec = {
        "title": title,
        "content": e["content"],
        "entry_type": "journal",
        "topic_id": None,
        "tags": e["tags"],
    }
    newer = created.date() >= LEGACY_KEYS_SINCE
    if newer:
        rec["template_id"] = None
    rec.update({
        "id": str(e["id"]),
        "created_at": str(created),
        "updated_at": updated.isoformat() if e["iso_updated"] else str(updated),
        "mood": mood_word(e["mood"]),
        "sentiment_score": None if e["mood"] is None else e["confidence"],
        "word_count": len(e["content"].split()),
        "metadata": {},
    })
    if newer:
        rec.update({"is_favorite": e["favorite"], "version": 1, "parent_entry_id": None})
    return rec


def write_legacy_json(args, out):
    """Stream what json.dumps({id: record, ...}, indent=2) would produce."""
    first = True
    out.write("{")
    for e in entries(args):
        body = json.dumps(legacy_record(e), indent=2, ensure_ascii=True).replace("\n", "\n  ")
        out.write("%s\n  %s: %s" % ("" if first else ",", json.dumps(str(e["id"])), body))
        first = False
    out.write("}" if first else "\n}")


def main(argv):
    args = parse_args(argv)
    writer = {"copy": write_copy, "users-copy": write_users_copy, "sql": write_sql,
              "legacy-json": write_legacy_json}[args.format]
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            writer(args, out)
    else:
        out = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False)
        writer(args, out)
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
