#!/usr/bin/env python3
"""Plants credentials and look-alike decoys into a source tree, with a ground-truth list.

    plant.py CORPUS_DIR TRUTH.json [--secrets N] [--decoys N] [--seed S]

Each planted item is one line (a key block for private keys) inserted at a random line of a
random source file; TRUTH.json lists every item as {kind, file, start, end, secret: bool}.
Values are random, in the published shape of each credential.
"""
import argparse, json, os, random, string

AN = string.ascii_letters + string.digits
LO = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
URL = AN + "_-"
B64 = AN + "+/"
AVOID = ("example", "test", "fake", "xxxx", "dummy", "sample", "pass", "key", "token", "secret")


def rnd(rng, chars, n):
    while True:
        s = "".join(rng.choice(chars) for _ in range(n))
        mixed = any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars)
        if mixed and not (any(c.isdigit() for c in s) and any(c.isalpha() for c in s)):
            continue
        if not any(w in s.lower() for w in AVOID):
            return s


def uuid(rng):
    return "-".join(rnd(rng, HEX, n) for n in (8, 4, 4, 4, 12))


def pem(rng, kind):
    body = [rnd(rng, B64, 64) for _ in range(12)] + [rnd(rng, B64, 40) + "=="]
    return [f"-----BEGIN {kind}-----"] + body + [f"-----END {kind}-----"]


# Each maker returns the lines to insert. Shapes follow the providers' published formats.
SECRETS = {
    "aws": lambda r: [f'aws_access_key_id = "AKIA{rnd(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}"'],
    "github-pat": lambda r: [f'const GITHUB_TOKEN: &str = "ghp_{rnd(r, AN, 36)}";'],
    "github-fine-grained": lambda r: [f'GH_PAT = "github_pat_{rnd(r, AN, 22)}_{rnd(r, AN, 59)}"'],
    "gitlab-pat": lambda r: [f'gitlab_token: "glpat-{rnd(r, URL, 20)}"'],
    "slack-bot": lambda r: [f'let slack = "xoxb-{rnd(r, string.digits, 12)}-{rnd(r, string.digits, 13)}-{rnd(r, AN, 24)}";'],
    "slack-webhook": lambda r: [f'webhook = "https://hooks.slack.com/services/T{rnd(r, string.ascii_uppercase + string.digits, 8)}/B{rnd(r, string.ascii_uppercase + string.digits, 10)}/{rnd(r, AN, 24)}"'],
    "stripe": lambda r: [f'stripe_key = "sk_live_{rnd(r, AN, 24)}"'],
    "twilio": lambda r: [f'TWILIO_API_KEY = "SK{rnd(r, HEX, 32)}"'],
    "sendgrid": lambda r: [f'sendgrid_api_key = "SG.{rnd(r, URL, 22)}.{rnd(r, URL, 43)}"'],
    "npm": lambda r: [f'//registry.npmjs.org/:_authToken=npm_{rnd(r, AN, 36)}'],
    "pypi": lambda r: [f'password = pypi-AgEIcHlwaS5vcmc{rnd(r, URL, 70)}'],
    "gcp": lambda r: [f'let maps_key = "AIza{rnd(r, URL, 35)}";'],
    "rsa-key": lambda r: pem(r, "RSA PRIVATE KEY"),
    "openssh-key": lambda r: pem(r, "OPENSSH PRIVATE KEY"),
    "jwt": lambda r: [f'let auth = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{rnd(r, URL, 40)}.{rnd(r, URL, 43)}";'],
    "postgres-url": lambda r: [f'DATABASE_URL = "postgres://app:{rnd(r, AN, 16)}@db.internal:5432/app"'],
    "generic-password": lambda r: [f'db_password = "{rnd(r, AN, 20)}"'],
    "generic-api-key": lambda r: [f'api_key: "{rnd(r, AN, 32)}"'],
    "shopify": lambda r: [f'SHOPIFY = "shpat_{rnd(r, HEX, 32)}"'],
    "digitalocean": lambda r: [f'do_token = "dop_v1_{rnd(r, HEX, 64)}"'],
    "huggingface": lambda r: [f'HF_TOKEN = "hf_{rnd(r, string.ascii_letters, 34)}"'],
    "mailgun": lambda r: [f'MAILGUN_KEY = "key-{rnd(r, HEX, 32)}"'],
    "telegram": lambda r: [f'BOT_TOKEN = "{rnd(r, string.digits, 10)}:AA{rnd(r, URL, 33)}"'],
    "age": lambda r: ["AGE-SECRET-KEY-1" + "".join(r.choice("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L") for _ in range(58))],
}

DECOYS = {
    "aws-example": lambda r: ['aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"'],
    "env-ref": lambda r: ['api_key = "${API_KEY}"'],
    "angle-placeholder": lambda r: ['token = "<your-api-token>"'],
    "changeme": lambda r: ['password = "changeme"'],
    "uuid": lambda r: [f'request_id = "{uuid(r)}"'],
    "sha256": lambda r: [f'checksum = "{rnd(r, HEX, 64)}"'],
    "sha1-commit": lambda r: [f'commit_key = "{rnd(r, HEX, 40)}"'],
    "x-filler": lambda r: ['secret = "xxxxxxxxxxxxxxxxxxxxxxxx"'],
    "getenv": lambda r: ['let token = std::env::var("GITHUB_TOKEN")?;'],
    "local-db": lambda r: ['DATABASE_URL = "postgres://postgres:password@localhost:5432/dev"'],
    "short-ghp": lambda r: ['token = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"'],
    "field-ref": lambda r: ['let api_key = self.config.api_key_for_region;'],
    "md5": lambda r: [f'etag_token = "{rnd(r, HEX, 32)}"'],
    "ci-secret-ref": lambda r: ['GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}'],
}


def candidates(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            if name.endswith((".rs", ".toml", ".md")) and name != "Cargo.lock":
                out.append(os.path.join(dirpath, name))
    out.sort()
    return out


def insert(path, lines, rng):
    with open(path, "rb") as f:
        text = f.read()
    if b"\0" in text[:8192]:
        return None
    rows = text.split(b"\n")
    at = rng.randrange(0, len(rows))
    rows[at:at] = [l.encode() for l in lines]
    with open(path, "wb") as f:
        f.write(b"\n".join(rows))
    return at + 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("truth")
    ap.add_argument("--secrets", type=int, default=240)
    ap.add_argument("--decoys", type=int, default=240)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    files = candidates(args.root)
    chosen = rng.sample(files, args.secrets + args.decoys)
    plan = [(k, True) for k in list(SECRETS) * (args.secrets // len(SECRETS) + 1)][: args.secrets]
    plan += [(k, False) for k in list(DECOYS) * (args.decoys // len(DECOYS) + 1)][: args.decoys]
    truth = []
    for (kind, secret), path in zip(plan, chosen):
        lines = (SECRETS if secret else DECOYS)[kind](rng)
        line = insert(path, lines, rng)
        if line is not None:
            rel = os.path.relpath(path, args.root)
            truth.append({"kind": kind, "file": rel, "start": line, "end": line + len(lines) - 1, "secret": secret})
    with open(args.truth, "w") as f:
        json.dump(truth, f, indent=1)
    print(f"planted {sum(t['secret'] for t in truth)} secrets and {sum(not t['secret'] for t in truth)} decoys")


if __name__ == "__main__":
    main()
