#!/usr/bin/env python3
"""Generate the large CSV tables of fixtures/acme/q3/q3-winback-completed.

Writes tasks.csv, calls.csv, number_pool.csv and upload_rejects.csv next to the
hand-written campaign.json, then prints the figures the data implies so tests
can be checked against them. Standard library only; the RNG is seeded, so the
output is the same on every run.

    python3 scripts/gen-fixtures.py            # write the files, print figures
    python3 scripts/gen-fixtures.py --check    # fail if the files on disk differ
"""

import csv
import io
import os
import random
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

SEED = 20260930
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "acme", "q3", "q3-winback-completed")

TASKS = 3000
SKIPPED = 40
CANCELLED = 20
MAX_ATTEMPTS = 4
REJECTS = 120
DUPLICATE_REJECTS = 37
GOAL_OUTCOMES = {"booked", "callback_booked"}
CONVERSATION_MIN_SECONDS = 10

# (number, weight when picking the line for an attempt, chance the call is answered)
NUMBERS = [
    ("+14155550171", 30, 0.31),
    ("+14155550172", 30, 0.29),
    ("+14155550173", 28, 0.26),  # marked spam-likely by the carrier (number_pool.csv)
    ("+14155550174", 12, 0.06),  # answers far less often than the others
]
FLAGGED = {"+14155550173"}
LABELS = {"+14155550171": "Main line", "+14155550172": "Front desk", "+14155550173": "Overflow", "+14155550174": "Weekend line"}

FIRST = [
    "Emma", "Liam", "Olivia", "Noah", "Sofía", "Mateo", "Zoë", "Élodie", "Jürgen", "Søren",
    "Łukasz", "Ольга", "Дмитрий", "Αθηνά", "Νίκος", "محمد", "فاطمة", "דנה", "יוסי", "美咲",
    "太郎", "伟", "芳", "민준", "서연", "Aarav", "Chinwe", "Kai", "Ana", "João",
]
LAST = [
    "Smith", "García", "Müller", "Rossi", "Dubois", "Nowak", "Novák", "Jensen", "O'Brien", "Ødegaard",
    "Иванова", "Смирнов", "Παπαδάκη", "Γεωργίου", "الحسن", "حداد", "כהן", "לוי", "佐藤", "鈴木",
    "王", "李", "김", "박", "Patel", "Okafor", "Silva", "Nguyễn", "Kowalski", "Fernández",
]

# E.164 ranges that phone-number libraries accept as valid: (prefix, digits to add)
PHONE_RANGES = [
    ("+1212555", 4), ("+1312555", 4), ("+1617555", 4), ("+1646555", 4),
    ("+447400", 6), ("+491511", 7), ("+33612", 6), ("+8190123", 5), ("+34612", 6),
]

NON_ANSWER = ["no_answer", "no_answer", "no_answer", "voicemail", "voicemail", "busy"]
OUTCOMES_CONVERSATION = ["booked"] * 30 + ["callback_booked"] * 10 + ["not_interested"] * 35 + ["callback"] * 10 + ["wrong_person"] * 5 + ["do_not_call"] * 10
REJECT_REASONS = [("invalid_phone", "not a valid phone number"), ("missing_field", "phone is empty"), ("do_not_call", "number is on the do-not-call list")]

EDT = timezone(timedelta(hours=-4))
START = datetime(2026, 9, 1, 9, 0, 0, tzinfo=EDT)


def ts(dt):
    return dt.isoformat()


def phone_for(rng, used):
    while True:
        prefix, n = rng.choice(PHONE_RANGES)
        p = prefix + "".join(rng.choice("0123456789") for _ in range(n))
        if p not in used:
            used.add(p)
            return p


def pick_number(rng):
    total = sum(w for _, w, _ in NUMBERS)
    x = rng.uniform(0, total)
    for number, w, p in NUMBERS:
        if x < w:
            return number, p
        x -= w
    return NUMBERS[-1][0], NUMBERS[-1][2]


def calling_time(rng, day):
    # 09:00-18:59 local time on a weekday in September
    d = START + timedelta(days=day)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d + timedelta(hours=rng.randrange(0, 10), minutes=rng.randrange(60), seconds=rng.randrange(60))


def generate():
    rng = random.Random(SEED)
    used = set()
    tasks, calls = [], []
    statuses = ["skipped"] * SKIPPED + ["cancelled"] * CANCELLED + ["dial"] * (TASKS - SKIPPED - CANCELLED)
    rng.shuffle(statuses)
    for i, plan in enumerate(statuses, start=1):
        task = {
            "task_id": f"q3-{i:04d}",
            "contact_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "phone": phone_for(rng, used),
            "status": plan,
            "attempts": 0,
            "last_result": "",
            "outcome": "",
            "talk_seconds": 0,
            "last_attempt_at": "",
            "from_number": "",
        }
        if plan == "dial":
            day = rng.randrange(0, 26)
            when = calling_time(rng, day)
            for attempt in range(1, MAX_ATTEMPTS + 1):
                number, p_answer = pick_number(rng)
                answered = rng.random() < p_answer
                if answered:
                    result = "answered"
                elif rng.random() < 0.01:
                    result = "invalid_number"
                else:
                    result = rng.choice(NON_ANSWER)
                duration = 0
                if result == "answered":
                    duration = rng.randint(2, 9) if rng.random() < 0.15 else rng.randint(10, 600)
                elif result == "voicemail":
                    duration = rng.randint(15, 40)
                calls.append({
                    "call_id": f"c-{len(calls) + 1:05d}",
                    "task_id": task["task_id"],
                    "from_number": number,
                    "to_number": task["phone"],
                    "started_at": ts(when),
                    "result": result,
                    "duration_seconds": duration,
                })
                task.update(attempts=attempt, last_result=result, last_attempt_at=ts(when), from_number=number)
                if result == "answered":
                    task["talk_seconds"] = duration
                    task["outcome"] = "hung_up" if duration < CONVERSATION_MIN_SECONDS else rng.choice(OUTCOMES_CONVERSATION)
                    task["status"] = "completed"
                    break
                if result == "invalid_number":
                    break
                when = when + timedelta(days=1, minutes=rng.randrange(0, 240))
            if task["status"] == "dial":
                task["status"] = "failed"
        tasks.append(task)

    dup_rows = set(rng.sample(range(REJECTS), DUPLICATE_REJECTS))
    # Lines of the uploaded file (line 1 is its header): TASKS accepted and REJECTS rejected rows.
    rows = sorted(rng.sample(range(2, TASKS + REJECTS + 2), REJECTS))
    rejects = []
    for k, row in enumerate(rows):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if k in dup_rows:
            reason, detail, phone = "duplicate", "same phone as an earlier row", rng.choice(tasks)["phone"]
        else:
            reason, detail = rng.choice(REJECT_REASONS)
            if reason == "invalid_phone":
                phone = f"555-{rng.randrange(10000):04d}"
            elif reason == "missing_field":
                phone = ""  # the detail says "phone is empty"
            else:
                phone = phone_for(rng, used)
        rejects.append({"row": row, "reason": reason, "detail": detail, "contact_name": name, "phone": phone, "source": "winback-export"})
    return tasks, calls, rejects


def to_csv(rows, fields):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def figures(tasks, calls, rejects):
    status = Counter(t["status"] for t in tasks)
    done = sum(status[s] for s in ("completed", "failed", "cancelled", "skipped"))
    connected = [t for t in tasks if t["last_result"] == "answered"]
    pool = []
    for number, _, _ in NUMBERS:
        mine = [c for c in calls if c["from_number"] == number]
        answered = sum(1 for c in mine if c["result"] == "answered")
        pool.append((number, len(mine), answered))
    return {
        "tasks": len(tasks),
        "status": dict(sorted(status.items())),
        "progress_done": done,
        "calls": len(calls),
        "funnel": {
            "contacts": len(tasks),
            "attempted": sum(1 for t in tasks if t["attempts"] >= 1),
            "connected": len(connected),
            "conversations": sum(1 for t in connected if t["talk_seconds"] >= CONVERSATION_MIN_SECONDS),
            "conversations_30s": sum(1 for t in connected if t["talk_seconds"] >= 30),
            "goal_reached": sum(1 for t in tasks if t["outcome"] in GOAL_OUTCOMES),
            "goal_booked_only": sum(1 for t in tasks if t["outcome"] == "booked"),
        },
        "pool": pool,
        "rejects": len(rejects),
        "reject_reasons": Counter(r["reason"] for r in rejects).most_common(),
    }


def main():
    tasks, calls, rejects = generate()
    fig = figures(tasks, calls, rejects)
    # The app's own per-number counters lag behind the call log; the tool must
    # prefer calls.csv, so these are deliberately a little lower.
    pool_rows = [
        {"number": n, "attempts": a - 7, "answered": ans - 2, "flagged": "true" if n in FLAGGED else "false", "label": LABELS[n]}
        for n, a, ans in fig["pool"]
    ]
    files = {
        "tasks.csv": to_csv(tasks, ["task_id", "contact_name", "phone", "status", "attempts", "last_result", "outcome", "talk_seconds", "last_attempt_at", "from_number"]),
        "calls.csv": to_csv(calls, ["call_id", "task_id", "from_number", "to_number", "started_at", "result", "duration_seconds"]),
        "number_pool.csv": to_csv(pool_rows, ["number", "attempts", "answered", "flagged", "label"]),
        "upload_rejects.csv": to_csv(rejects, ["row", "reason", "detail", "contact_name", "phone", "source"]),
    }
    check = "--check" in sys.argv[1:]
    stale = []
    for name, text in files.items():
        path = os.path.join(OUT, name)
        if check:
            with open(path, encoding="utf-8", newline="") as f:
                if f.read() != text:
                    stale.append(name)
        else:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
    print(f"tasks: {fig['tasks']}  status: {fig['status']}  done: {fig['progress_done']}")
    print(f"calls: {fig['calls']}")
    print("funnel: " + ", ".join(f"{k}={v}" for k, v in fig["funnel"].items()))
    for n, a, ans in fig["pool"]:
        rate = ans / a if a else None
        print(f"pool {n}: attempts={a} answered={ans} rate={rate:.4f}" + (" flagged" if n in FLAGGED else ""))
    print(f"rejects: {fig['rejects']} (" + ", ".join(f"{r}: {n}" for r, n in fig["reject_reasons"]) + ")")
    if stale:
        sys.exit("out of date: " + ", ".join(stale) + " (run scripts/gen-fixtures.py)")


if __name__ == "__main__":
    main()
