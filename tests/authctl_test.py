"""authctl verify-registration / verify-authentication, as a user runs them.

Runs real-device vectors through the command line and checks the JSON on
standard output and the exit status (0 valid, 1 invalid, 2 usage), plus
the usage errors; then the audit log, backups and the key-encryption key
(first use, mode and key checks, rewrap) on throwaway databases.
Usage: authctl_test.py AUTHCTL VECTORS_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

authctl, vectors = sys.argv[1], sys.argv[2]
anchors = json.load(open(os.path.join(vectors, "trust_anchors.json")))
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + ": " + detail)


def run(args, stdin):
    p = subprocess.run([authctl] + args, input=stdin, capture_output=True)
    out = None
    if p.stdout:
        out = json.loads(p.stdout)
    return p.returncode, out, p.stderr.decode()


def case(name):
    for kind in ("registration", "authentication"):
        path = os.path.join(vectors, kind, name + ".json")
        if os.path.exists(path):
            return json.load(open(path))
    raise SystemExit("no case " + name)


def base_args(c, tmp):
    a = ["--rp-id", c["rp_id"], "--origin", c["origin"],
         "--challenge", c["expected_challenge"]]
    if c.get("require_user_verification"):
        a.append("--require-uv")
    if c["kind"] == "registration":
        if c.get("verify_at"):
            a += ["--at", c["verify_at"]]
        for i, ta in enumerate(c.get("trust_anchors") or []):
            import base64
            der = anchors[ta]["der"]
            der = base64.urlsafe_b64decode(der + "=" * (-len(der) % 4))
            f = os.path.join(tmp, "ta%d.der" % i)
            open(f, "wb").write(der)
            a += ["--trust-anchor", f]
    opt = c.get("options", {})
    if opt.get("allow_cross_origin"):
        a.append("--allow-cross-origin")
    for t in opt.get("allowed_top_origins", []):
        a += ["--top-origin", t]
    return a


with tempfile.TemporaryDirectory() as tmp:
    # A valid registration with x5c, untrusted without anchors.
    c = case("swa-reg-packed-x5c-yubikey")
    rc, out, _ = run(["verify-registration"] + base_args(c, tmp),
                     json.dumps(c["credential"]).encode())
    check("reg packed x5c valid", rc == 0 and out["valid"] is True and
          out["fmt"] == "packed" and out["alg"] == -7 and
          out["attestation_type"] == "basic" and out["trusted"] is False and
          out["credential_id"] == c["expected"]["credential_id"] and
          out["public_key"] == c["expected"]["credential_public_key"] and
          out["sign_count"] == c["expected"]["sign_count"], repr(out))

    # Trusted when the chain verifies to a given anchor.
    c = case("swa-reg-android-key-pixel-8a")
    rc, out, _ = run(["verify-registration"] + base_args(c, tmp),
                     json.dumps(c["credential"]).encode())
    check("reg android-key trusted", rc == 0 and out["trusted"] is True and
          out["fmt"] == "android-key", repr(out))

    # A chain that fails against the anchors given is invalid.
    c = case("py-reg-packed-x5c-wrong-trust-anchor")
    rc, out, _ = run(["verify-registration"] + base_args(c, tmp),
                     json.dumps(c["credential"]).encode())
    check("reg wrong anchor invalid", rc == 1 and out["valid"] is False and
          out["error"] == "untrusted_attestation" and "step" in
          out["message"], repr(out))

    # Wrong origin: exit 1, error names the step.
    c = case("swa-reg-none-wrong-origin")
    rc, out, _ = run(["verify-registration"] + base_args(c, tmp),
                     json.dumps(c["credential"]).encode())
    check("reg wrong origin", rc == 1 and out["error"] == "origin_mismatch"
          and "§7.1 step 9" in out["message"], repr(out))

    # --alg restricts the algorithms.
    c = case("py-reg-none-es256")
    rc, out, _ = run(["verify-registration"] + base_args(c, tmp) +
                     ["--alg", "-8"], json.dumps(c["credential"]).encode())
    check("reg alg not allowed", rc == 1 and
          out["error"] == "algorithm_not_allowed", repr(out))

    # Unsupported algorithms fail cleanly.
    c = case("w3c-reg-packed-ed448")
    rc, out, _ = run(["verify-registration"] + base_args(c, tmp),
                     json.dumps(c["credential"]).encode())
    check("reg ed448 unsupported", rc == 1 and
          out["error"] == "unsupported_algorithm", repr(out))

    # Assertions.
    c = case("py-auth-es256")
    auth = ["verify-authentication"] + base_args(c, tmp) + [
        "--public-key", c["credential_public_key"],
        "--sign-count", str(c["prior_sign_count"])]
    rc, out, _ = run(auth, json.dumps(c["credential"]).encode())
    check("auth valid", rc == 0 and out["valid"] is True and
          out["sign_count"] == c["expected"]["sign_count"] and
          out["credential_id"] == c["expected"]["credential_id"], repr(out))
    rc, out, _ = run(auth + ["--credential-id", "AAAA"],
                     json.dumps(c["credential"]).encode())
    check("auth other credential id", rc == 1 and
          out["error"] == "credential_id_mismatch", repr(out))
    rc, out, _ = run(auth + ["--allow-credential", "AAAA"],
                     json.dumps(c["credential"]).encode())
    check("auth not in allow list", rc == 1 and
          out["error"] == "credential_not_allowed", repr(out))
    rc, out, _ = run(auth + ["--allow-credential",
                             c["expected"]["credential_id"]],
                     json.dumps(c["credential"]).encode())
    check("auth in allow list", rc == 0, repr(out))
    rc, out, _ = run(auth + ["--backup-eligible", "1"],
                     json.dumps(c["credential"]).encode())
    check("auth backup eligibility changed", rc == 1 and
          out["error"] == "backup_flags", repr(out))
    rc, out, _ = run(auth + ["--require-uv"],
                     json.dumps(c["credential"]).encode())
    check("auth uv required", rc == 1 and
          out["error"] == "user_not_verified", repr(out))

    c = case("swa-auth-es256-counter-not-increased")
    rc, out, _ = run(["verify-authentication"] + base_args(c, tmp) + [
        "--public-key", c["credential_public_key"],
        "--sign-count", str(c["prior_sign_count"])],
        json.dumps(c["credential"]).encode())
    check("auth clone signal", rc == 1 and
          out["error"] == "sign_count_not_increased" and
          out["sign_count"] == 144, repr(out))

    c = case("py-auth-rs256-windows-hello")
    uh = c["credential"]["response"]["userHandle"]
    auth = ["verify-authentication"] + base_args(c, tmp) + [
        "--public-key", c["credential_public_key"],
        "--sign-count", str(c["prior_sign_count"])]
    rc, out, _ = run(auth + ["--user-handle", uh],
                     json.dumps(c["credential"]).encode())
    check("auth user handle", rc == 0 and out["user_handle"] == uh,
          repr(out))
    rc, out, _ = run(auth + ["--user-handle", "AAAA"],
                     json.dumps(c["credential"]).encode())
    check("auth user handle mismatch", rc == 1 and
          out["error"] == "user_handle_mismatch", repr(out))

    # Bad input on stdin is invalid (1), not a crash.
    rc, out, _ = run(auth, b"{not json")
    check("malformed json", rc == 1 and out["error"] == "malformed_response",
          repr(out))
    rc, out, _ = run(auth, b" " * (256 * 1024 + 1))
    check("oversized input", rc == 1 and out["error"] == "too_large",
          repr(out))

    # Usage errors: exit 2, message on stderr, nothing on stdout.
    for name, args in [
        ("no args", ["verify-registration"]),
        ("bad challenge", ["verify-registration", "--rp-id", "a",
                           "--origin", "https://a", "--challenge", "!!"]),
        ("bad time", ["verify-registration", "--rp-id", "a", "--origin",
                      "https://a", "--challenge", "AAAA", "--at",
                      "yesterday"]),
        ("unsupported alg", ["verify-registration", "--rp-id", "a",
                             "--origin", "https://a", "--challenge", "AAAA",
                             "--alg", "-53"]),
        ("missing anchor", ["verify-registration", "--rp-id", "a",
                            "--origin", "https://a", "--challenge", "AAAA",
                            "--trust-anchor", "/nonexistent"]),
        ("auth without key", ["verify-authentication", "--rp-id", "a",
                              "--origin", "https://a", "--challenge",
                              "AAAA"]),
        ("unknown command", ["frobnicate"]),
    ]:
        rc, out, err = run(args, b"{}")
        check("usage " + name, rc == 2 and out is None and err, repr(rc))
    rc, out, err = subprocess.run([authctl, "verify-registration", "--help"],
                                  capture_output=True).returncode, None, ""
    check("help exits 0", rc == 0)

# The audit log and backups, on a throwaway database.
with tempfile.TemporaryDirectory() as tmp:
    import sqlite3
    db = os.path.join(tmp, "authd.db")

    def ctl(*args):
        p = subprocess.run([authctl, "--db", db] + list(args),
                           capture_output=True)
        out = p.stdout.decode().strip()
        return p.returncode, out

    rc, out = ctl("enroll", "courier-1", "courier")
    check("enroll", rc == 0 and json.loads(out)["role"] == "courier", out)
    for i in range(3):
        ctl("enroll", "customer-%d" % i, "customer")
    rc, out = ctl("audit", "verify")
    check("audit verify intact", rc == 0 and json.loads(out)["valid"], out)
    rc, out = ctl("audit", "export")
    lines = [json.loads(l) for l in out.splitlines()]
    check("audit export", rc == 0 and len(lines) == 4 and
          all(l["event"] == "enrollment_issued" for l in lines), out)
    rc, out = ctl("backup", os.path.join(tmp, "copy.db"))
    check("backup", rc == 0 and json.loads(out)["pages"] > 0 and
          os.stat(os.path.join(tmp, "copy.db")).st_mode & 0o077 == 0, out)
    rc, out = ctl("backup", os.path.join(tmp, "copy.db"))
    check("backup refuses to overwrite", rc != 0, out)
    # An attacker with the file edits an entry behind the triggers.
    c = sqlite3.connect(db)
    c.execute("DROP TRIGGER audit_no_update")
    c.execute("UPDATE audit SET subject = 'someone-else' WHERE seq = "
              "(SELECT min(seq) + 1 FROM audit)")
    c.commit()
    c.close()
    rc, out = ctl("audit", "verify")
    v = json.loads(out)
    check("audit verify finds the edit", rc == 1 and not v["valid"] and
          v["seq"] == lines[1]["seq"], out)

# The key-encryption key: made on first use, checked, rewrapped.
with tempfile.TemporaryDirectory() as tmp:
    import sqlite3
    db = os.path.join(tmp, "kek.db")
    kek = db + ".kek"
    name, contact = "Wilhelmina Oxenstierna", "+46 70 123 45 67"

    def ctl(*args, env=None):
        e = dict(os.environ)
        for k in ("AUTHD_KEK", "AUTHD_KEK_FILE"):
            e.pop(k, None)
        e.update(env or {})
        p = subprocess.run([authctl, "--db", db] + list(args),
                           capture_output=True, env=e)
        return p.returncode, p.stdout.decode().strip(), p.stderr.decode()

    def db_has(text):
        data = b""
        for sfx in ("", "-wal"):
            if os.path.exists(db + sfx):
                data += open(db + sfx, "rb").read()
        return text.encode() in data

    rc, out, err = ctl("enroll", "wil", "customer", "--display-name", name,
                       "--contact", contact)
    check("kek made on first use", rc == 0 and os.path.exists(kek) and
          os.stat(kek).st_mode & 0o777 == 0o600 and kek in err, err)
    rc, out, err = ctl("users")
    u = json.loads(out) if rc == 0 else {}
    check("users shows sealed fields", u.get("display_name") == name and
          u.get("contact") == contact, out + err)
    c = sqlite3.connect(db)
    row = c.execute("SELECT display_name, typeof(display_sealed),"
                    " typeof(contact) FROM users").fetchone()
    c.close()
    check("columns hold ciphertext", row == ("", "blob", "blob"), repr(row))
    check("no plaintext in the file", not db_has(name) and
          not db_has(contact) and db_has("wil"))
    rc, out, err = ctl("enroll", "x", "customer", "--contact", "c" * 255)
    check("contact too long", rc == 2, err)
    os.chmod(kek, 0o644)
    rc, out, err = ctl("users")
    check("kek mode 0644 refused", rc != 0 and kek in err and
          "0644" in err and "chmod 600" in err and out == "", err)
    os.chmod(kek, 0o600)
    rc, out, err = ctl("users", env={"AUTHD_KEK": "A" * 43})
    check("wrong AUTHD_KEK refused", rc != 0 and
          "not the key-encryption key" in err, err)
    rc, out, err = ctl("users", env={"AUTHD_KEK": "short"})
    check("malformed AUTHD_KEK refused", rc != 0 and "base64url" in err,
          err)
    old = open(kek).read().strip()
    os.rename(kek, kek + ".moved")
    rc, out, err = ctl("users", env={"AUTHD_KEK": old})
    check("AUTHD_KEK alone", rc == 0 and name in out, err)
    rc, out, err = ctl("users")
    check("missing kek for a sealed db", rc != 0 and "missing" in err and
          not os.path.exists(kek), err)
    os.rename(kek + ".moved", kek)
    rc, out, err = ctl("keys", "rotate")
    check("keys rotate sealed", rc == 0, err)
    rc, out, err = ctl("keys", "rewrap")
    check("keys rewrap usage", rc == 2, err)
    rc, out, err = ctl("keys", "rewrap", "--new-kek-file", kek)
    check("rewrap to the same key refused", rc != 0 and "already" in err,
          err)
    new = os.path.join(tmp, "new.kek")
    rc, out, err = ctl("keys", "rewrap", "--new-kek-file", new)
    check("keys rewrap", rc == 0 and json.loads(out)["new_kek_file"] == new
          and os.stat(new).st_mode & 0o777 == 0o600, out + err)
    rc, out, err = ctl("users")
    check("old kek refused after rewrap", rc != 0 and
          "not the key-encryption key" in err, err)
    rc, out, err = ctl("users", env={"AUTHD_KEK_FILE": new})
    check("new kek works after rewrap", rc == 0 and contact in out, err)
    rc, out, err = ctl("audit", "export")
    check("rewrap audited", rc == 0 and '"kek_rewrap"' in out, out)
    rc, out, err = ctl("keys", "rewrap", "--new-kek-file",
                       os.path.join(tmp, "third.kek"))
    check("rewrap needs the current key", rc != 0 and
          not os.path.exists(os.path.join(tmp, "third.kek")), err)

print("authctl: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
