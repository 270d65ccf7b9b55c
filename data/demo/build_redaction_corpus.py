"""Write redaction_corpus.jsonl: fake secrets of every kind Milton redacts, in the sentences people paste them in,
and look-alikes that must survive (DNA and protein sequences, hashes, UUIDs, base64 data, code, accession numbers).

Every secret is random and fake. `python data/demo/build_redaction_corpus.py` regenerates the file byte for byte."""
import base64
import json
import random
import string
import uuid
from pathlib import Path

rng = random.Random(20261124)
B32 = string.ascii_uppercase + "234567"
B62 = string.ascii_letters + string.digits
AA = "ACDEFGHIKLMNPQRSTVWY"

def pick(alphabet: str, n: int) -> str: return "".join(rng.choice(alphabet) for _ in range(n))
def aws_secret() -> str:
    while True:
        s = pick(B62 + "/+", 40)
        if any(c.isdigit() for c in s) and any(c.islower() for c in s) and any(c.isupper() for c in s): return s

SECRETS = {   # kind -> (secret generator, sentences it is pasted in; {} is the secret)
    "aws-access-key": (lambda: "AKIA" + pick(B32, 16), ["boto3 says access denied for {}, why?", "AWS_ACCESS_KEY_ID={}", "key id: {} region eu-west-3"]),
    "aws-secret-key-labelled": (aws_secret, ["AWS_SECRET_ACCESS_KEY={}", "aws_secret_key: '{}'", "export AWS_SECRET_ACCESS_KEY=\"{}\""]),
    "aws-secret-key-unlabelled": (aws_secret, ["and the secret is {} (don't share)", "secret:\n{}\n", "here: {}"]),
    "github-token": (lambda: "ghp_" + pick(B62, 36), ["git clone https://{}@github.com/ada/atlas.git fails", "GITHUB_TOKEN={}", "my token {} expired?"]),
    "github-pat": (lambda: "github_pat_" + pick(B62 + "_", 60), ["use {} for the CI", "token = \"{}\""]),
    "slack-token": (lambda: "xoxb-" + pick(string.digits, 11) + "-" + pick(string.digits, 12) + "-" + pick(B62, 24), ["SLACK_BOT_TOKEN={}", "the bot token is {}"]),
    "openai-key": (lambda: "sk-proj-" + pick(B62 + "_-", 48), ["OPENAI_API_KEY={}", "client = OpenAI(api_key=\"{}\")"]),
    "google-api-key": (lambda: "AIza" + pick(B62 + "_-", 35), ["maps key {} works?", "GOOGLE_API_KEY={}", "the key is {}"]),
    "stripe-key": (lambda: "sk_live_" + pick(B62, 24), ["stripe.api_key = \"{}\"", "live key {} leaked?"]),
    "jwt": (lambda: ".".join(base64.urlsafe_b64encode(json.dumps(p).encode()).decode().rstrip("=") for p in
                             ({"alg": "HS256", "typ": "JWT"}, {"sub": pick(string.digits, 8), "name": "Ada"})) + "." + pick(B62 + "_-", 43),
            ["Authorization: Bearer {}", "the session token {} decodes to?"]),
    "private-key": (lambda: "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(pick(B62 + "/+", 64) for _ in range(6)) + "\n-----END RSA PRIVATE KEY-----",
                    ["my key:\n{}\nis it valid?", "{}"]),
    "url-password": (lambda: pick(string.ascii_lowercase, 6) + pick(string.digits, 3) + "!", ["postgres://ada:{}@db.lab.local:5432/atlas", "redis://default:{}@cache:6379/0"]),
    "password-prose": (lambda: pick(B62, 10) + "!", ["my password is {} for the cluster", "The wifi password for the guest network is {} - note it.",
                                                     "password: {}", "pwd={}"]),
    "wifi-code": (lambda: pick(string.digits + string.ascii_uppercase, 8), ["the wifi code is {} in the lab", "Door code is {}, don't forget."]),
    "pin": (lambda: pick(string.digits, 4), ["my PIN is {}", "PIN code: {}"]),
    "password-german": (lambda: pick(B62, 9), ["Das Passwort ist {} für den Server.", "Kennwort: {}"]),
    "password-french-swedish": (lambda: pick(B62, 9), ["le mot de passe est {} pour la VM", "lösenord: {}"]),
}

def dna(n: int) -> str: return pick("ACGT", n)
LOOKALIKES = {   # kind -> generator of a text that holds no secret
    "dna-short": lambda: f"The primer ACCA{dna(20)} binds at 58 °C.",
    "dna-contig": lambda: ">contig_1 len=40000\n" + dna(40000),
    "dna-with-aws-shape": lambda: "reads: " + "".join(dna(97) + "ACCA" + dna(16) for _ in range(20)),
    "rna": lambda: "siRNA guide: " + pick("ACGU", 21) + " targets exon 4",
    "protein": lambda: ">sp|P04637|P53\n" + pick(AA, 393),
    "protein-with-akia": lambda: "MKT" + pick(AA, 30) + "AKIA" + pick(AA, 16) + pick(AA, 50),
    "sha1": lambda: f"commit {pick('0123456789abcdef', 40)} fixed the loader",
    "sha256": lambda: f"sha256:{pick('0123456789abcdef', 64)}",
    "uuid": lambda: f"run {uuid.UUID(int=rng.getrandbits(128))} finished",
    "base64-data": lambda: "counts = np.frombuffer(base64.b64decode('" + base64.b64encode(bytes(rng.getrandbits(8) for _ in range(3000))).decode() + "'))",
    "accessions": lambda: f"TP53 is ENSG00000141510; data in GSE{rng.randint(10000, 99999)}, doi:10.1038/s41586-0{rng.randint(10, 99)}-0{rng.randint(1000, 9999)}-x",
    "code-env": lambda: "token = os.environ['SLACK_BOT_TOKEN']\npassword_hash = bcrypt.hashpw(pw, bcrypt.gensalt())\napi_key = load_api_key_from_vault(path)",
    "prose-about-passwords": lambda: "Passwords should be long; use a password manager. The token budget is 128 tokens.",
    "numbers": lambda: f"Fermat weighs 5.3 kg; the vet is at 17:45 on 2 October; p = {rng.random():.4f}",
    "paths": lambda: "/data/atlas/runs/2026-10-01/sample_" + pick(B62, 12) + "/matrix.h5ad",
}

rows = []
for kind, (make, sentences) in SECRETS.items():
    for i in range(6):
        secret = make()
        rows.append({"kind": kind, "secret": secret, "text": sentences[i % len(sentences)].format(secret)})
for kind, make in LOOKALIKES.items():
    for _ in range(4): rows.append({"kind": kind, "secret": None, "text": make()})
out = Path(__file__).parent / "redaction_corpus.jsonl"
out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
print(f"{sum(r['secret'] is not None for r in rows)} secrets, {sum(r['secret'] is None for r in rows)} look-alikes -> {out}")
