"""authctl verify-registration / verify-authentication, as a user runs them.

Runs real-device vectors through the command line and checks the JSON on
standard output and the exit status (0 valid, 1 invalid, 2 usage), plus
the usage errors.  Usage: authctl_test.py AUTHCTL VECTORS_DIR
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

print("authctl: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
