"""A second owner, never tuned on: Ravi Menon, a platform engineer in Bangalore who uses Milton as a code assistant.

Writes ravi/conversations.jsonl (the import format) and ravi/personal_questions.jsonl (questions about Ravi with
the facts a right answer must contain). Facts that change mid-way (the on-call day, the team lead) are asked
about in their newest form. `python data/demo/build_ravi.py` regenerates both files byte for byte."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent / "ravi"
START = datetime(2026, 9, 7, tzinfo=timezone.utc)
USER = "ravi"

# (day, "HH:MM", [(owner, assistant), ...])
CONVERSATIONS = [
    (0, "09:10", [("Hi Milton, I'm Ravi Menon, a platform engineer at a logistics startup in Bangalore. I mostly write Go and some Python.",
                   "Nice to meet you, Ravi. Platform engineering in Go and Python, noted.")]),
    (0, "09:20", [("My dog is a beagle called Biscuit. She steals socks.", "Biscuit the sock-stealing beagle, noted.")]),
    (1, "08:45", [("I prefer tabs over spaces in Go, obviously gofmt decides, but in Python I use black with line length 100.",
                   "Understood: gofmt for Go, black with line length 100 for Python.")]),
    (1, "13:30", [("Write a Go function that retries an HTTP GET three times with exponential backoff.",
                   "```go\nfunc getWithRetry(url string) (*http.Response, error) {\n\tvar err error\n\tfor i := 0; i < 3; i++ {\n\t\tresp, e := http.Get(url)\n\t\tif e == nil { return resp, nil }\n\t\terr = e\n\t\ttime.Sleep(time.Duration(1<<i) * 100 * time.Millisecond)\n\t}\n\treturn nil, err\n}\n```")]),
    (2, "10:00", [("I'm on call every Wednesday this quarter.", "Noted: you are on call on Wednesdays this quarter.")]),
    (2, "18:40", [("I'm lactose intolerant, so no paneer suggestions please.", "Got it: nothing with paneer or other dairy.")]),
    (3, "09:05", [("Our main database is PostgreSQL 16 on a three-node Patroni cluster.", "PostgreSQL 16 with Patroni, three nodes: noted.")]),
    (3, "15:00", [("Explain the difference between a mutex and a RWMutex in Go.", "A Mutex allows one holder; a RWMutex allows many readers or one writer.")]),
    (4, "11:20", [("My team lead is Farah.", "Noted: Farah leads your team.")]),
    (6, "20:10", [("I play badminton on Saturday mornings at the Koramangala club.", "Saturday-morning badminton at Koramangala, noted.")]),
    (7, "09:00", [("How do I profile CPU usage of a Go service in production?", "Expose net/http/pprof on an internal port and take a 30 s CPU profile with go tool pprof.")]),
    (8, "14:15", [("We deploy with Argo CD onto EKS, one cluster per region.", "Argo CD onto EKS, one cluster per region: noted.")]),
    (9, "10:30", [("My sister Meera lives in Toronto and her birthday is on 3 November.", "Meera in Toronto, birthday 3 November: noted.")]),
    (10, "16:00", [("Write a Python function that parses an ISO 8601 duration like PT1H30M into seconds.",
                    "```python\nimport re\n\ndef duration_seconds(s: str) -> int:\n    m = re.fullmatch(r\"PT(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+)S)?\", s)\n    h, mi, se = (int(x or 0) for x in m.groups())\n    return h * 3600 + mi * 60 + se\n```")]),
    (11, "08:30", [("I drink filter coffee, two cups before noon, none after.", "Filter coffee, two before noon, none after: noted.")]),
    (13, "12:00", [("Our incident channel is #inc-platform on Slack.", "Incident channel: #inc-platform.")]),
    (14, "09:45", [("What is a good default for GOMAXPROCS in containers?", "Match the CPU limit; the automaxprocs package does it for you.")]),
    (15, "17:30", [("I'm learning Rust in the evenings with the Rustlings exercises.", "Rust with Rustlings in the evenings, noted.")]),
    (16, "10:10", [("Write a Dockerfile for a static Go binary using a distroless base.",
                    "```dockerfile\nFROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app ./cmd/app\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n```")]),
    (17, "19:00", [("My partner Anjali is a paediatrician at St. John's hospital.", "Anjali, a paediatrician at St. John's: noted.")]),
    (20, "09:15", [("From next week I'm on call on Fridays instead of Wednesdays.", "Updated: on call on Fridays from next week.")]),
    (21, "11:00", [("Farah moved to the data team; my new team lead is Joseph.", "Updated: Joseph is your team lead now.")]),
    (22, "15:40", [("How do I write a table-driven test in Go?", "Define a slice of cases with name, input, want; loop with t.Run(tc.name, ...).")]),
    (23, "08:50", [("I'm flying to Kochi on 14 December for my cousin's wedding.", "Kochi on 14 December for the wedding: noted.")]),
    (24, "13:20", [("Our SLO for the routing API is 99.9 % availability with p99 latency under 300 ms.", "Routing API SLO: 99.9 %, p99 under 300 ms.")]),
    (26, "10:05", [("Suggest a name for an internal CLI that rotates database credentials.", "credrot, vaultspin or rotor.")]),
    (27, "18:20", [("Biscuit has a vet appointment on Thursday for her vaccinations.", "Biscuit's vaccination appointment on Thursday: noted.")]),
    (28, "09:30", [("Please always show Go errors wrapped with %w, never just returned bare.", "From now on: wrap Go errors with %w.")]),
    (29, "16:45", [("Write a bash one-liner that finds the ten largest files under /var/log.", "du -ah /var/log | sort -rh | head -n 10")]),
    (31, "10:20", [("The staging cluster moved from us-east-1 to ap-south-1.", "Staging is now in ap-south-1.")]),
    (33, "19:10", [("My running goal is a half marathon in February, the Auroville one.", "Auroville half marathon in February: noted.")]),
    (34, "11:50", [("Review this: for i := range items { go process(items[i]) } -- any issue?", "No WaitGroup: the function may return before the goroutines finish; also bound the concurrency.")]),
]

QUESTIONS = [   # (question, facts a right answer contains, kind)
    ("What is my dog called?", ["Biscuit"], "fact"),
    ("What breed is my dog?", ["beagle"], "fact"),
    ("Which day am I on call?", ["Friday"], "update"),
    ("Who is my team lead?", ["Joseph"], "update"),
    ("What line length do I use with black?", ["100"], "preference"),
    ("What food should you avoid suggesting to me?", ["paneer"], "preference"),
    ("Which database do we run?", ["PostgreSQL"], "fact"),
    ("When do I play badminton?", ["Saturday"], "routine"),
    ("How do we deploy?", ["Argo CD"], "fact"),
    ("When is my sister's birthday?", ["3 November"], "fact"),
    ("Where does my sister live?", ["Toronto"], "fact"),
    ("When do I stop drinking coffee?", ["noon"], "routine"),
    ("What is our incident channel?", ["#inc-platform"], "fact"),
    ("What language am I learning in the evenings?", ["Rust"], "fact"),
    ("What does my partner do?", ["paediatrician"], "fact"),
    ("When am I flying to Kochi?", ["14 December"], "fact"),
    ("What is the p99 latency target of the routing API?", ["300 ms"], "fact"),
    ("How should Go errors be returned in code for me?", ["%w"], "preference"),
    ("Which region is staging in?", ["ap-south-1"], "update"),
    ("Which race am I training for?", ["Auroville"], "fact"),
    ("What is my cat called?", [], "abstention"),
]


def record(i: int, day: int, clock: str, pairs: list[tuple[str, str]]) -> dict:
    h, m = map(int, clock.split(":"))
    t, msgs = START + timedelta(days=day, hours=h, minutes=m), []
    for owner, assistant in pairs:
        msgs += [{"role": "user", "content": owner, "timestamp": t.isoformat()},
                 {"role": "assistant", "content": assistant, "timestamp": (t + timedelta(seconds=20)).isoformat()}]
        t += timedelta(minutes=2)
    return {"id": f"r-{i:03d}", "user": USER, "messages": msgs}


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    convs = [record(i + 1, *c) for i, c in enumerate(sorted(CONVERSATIONS, key=lambda c: (c[0], c[1])))]
    rows = [{"id": f"rq-{i:02d}", "question": q, "facts": f, "kind": k} for i, (q, f, k) in enumerate(QUESTIONS, 1)]
    for name, data in (("conversations.jsonl", convs), ("personal_questions.jsonl", rows)):
        (HERE / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data), encoding="utf-8")
    print(f"{len(convs)} conversations, {len(rows)} questions")
