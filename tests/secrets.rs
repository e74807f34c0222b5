//! `secrets` against what the fixture program planted (tests/fixtures/secrets.facts.json):
//! each planted secret found once, with its kind, class, holder chain and masked value,
//! no near miss reported, and no planted value in the CLI's output (text or JSON) or its
//! errors; and exactly what it reports on every other fixture and corpus dump.

mod common;
use common::*;
use heapscope::analysis::secrets::{KINDS, Secret, SecretsReport};
use heapscope::query::{Options, Query, Session, run_in_memory};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn scan(p: &PathBuf) -> SecretsReport {
    let bytes = plain(p);
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.clone()));
    run_in_memory(&mut s, &bytes, 1 << 20).expect("analysis");
    s.ask(&Query::Secrets {}).expect("secrets")
}

fn text(v: &Value) -> &str {
    v.as_str().expect("a string")
}

/// The part of a planted value the scan reports: a PEM block's body (its base64 lines),
/// else the value itself (for a URL, the facts give the password alone).
fn secret_part(kind: &str, value: &str) -> String {
    if kind == "pem_private_key" {
        let body: Vec<&str> = value.lines().filter(|l| !l.starts_with("-----")).collect();
        return body.join("\n");
    }
    value.to_string()
}

/// What the scan should print for a value: a sixth (at most 4) of its characters at each
/// end; a `byte[]` that is not text (the facts give it in hex): a sixth (at most 3) of
/// its bytes at each end, in hex.
fn expected_mask(class: &str, part: &str) -> (String, u64) {
    if class == "byte[]" {
        let n = part.len() / 2;
        let k = (n / 6).min(3);
        return (
            format!("0x{}…{}", &part[..2 * k], &part[part.len() - 2 * k..]),
            n as u64,
        );
    }
    let c: Vec<char> = part.chars().collect();
    let k = (c.len() / 6).min(4);
    let head: String = c[..k].iter().collect();
    let tail: String = c[c.len() - k..].iter().collect();
    (format!("{head}…{tail}"), c.len() as u64)
}

/// Whether a finding's chain is the planted one (`[?]`: any array index).
fn same_path(found: &Secret, planted: &Value) -> bool {
    let want = planted.as_array().expect("path");
    found.path.len() == want.len()
        && found.path.iter().zip(want).all(|(s, w)| {
            let f = text(&w["field"]);
            s.class == text(&w["class"])
                && if f == "[?]" {
                    s.field.starts_with('[') && s.field.ends_with(']')
                } else {
                    s.field == f
                }
        })
}

#[test]
fn every_planted_secret_is_found_with_its_holder_and_masked() {
    let facts = facts("secrets");
    let planted = facts["planted"].as_array().expect("planted");
    let r = scan(&fixture("secrets.hprof"));
    // Exactly the planted ones: no near miss, nothing else of the JDK.
    assert_eq!(r.secrets.len(), planted.len(), "{:#?}", r.secrets);
    assert_eq!(r.more_secrets, 0);
    let mut by_kind: BTreeMap<&str, u64> = KINDS.iter().map(|k| (k.name(), 0)).collect();
    for p in planted {
        *by_kind.get_mut(text(&p["kind"])).expect("a kind") += 1;
    }
    assert_eq!(r.by_kind, by_kind);
    for p in planted {
        let kind = text(&p["kind"]);
        let class = text(&p["class"]);
        let part = secret_part(kind, text(&p["value"]));
        let (masked, length) = expected_mask(class, &part);
        let hits: Vec<&Secret> = r
            .secrets
            .iter()
            .filter(|s| s.kind == kind && same_path(s, &p["path"]))
            .collect();
        assert_eq!(hits.len(), 1, "{kind} at {}: {:#?}", p["path"], r.secrets);
        let s = hits[0];
        assert_eq!(s.class, class, "{kind} at {}", p["path"]);
        assert_eq!(s.masked, masked, "{kind} at {}", p["path"]);
        assert_eq!(s.length, length, "{kind} at {}", p["path"]);
        // Each step of the chain names the object it leaves from.
        assert!(s.path.iter().all(|x| x.object.starts_with("0x")));
    }
    // The ThreadLocal's chain starts at the live thread the program started.
    let jwt = r.secrets.iter().find(|s| s.kind == "jwt").expect("jwt");
    let threads: heapscope::analysis::threads::Threads = {
        let bytes = plain(&fixture("secrets.hprof"));
        let mut s = Session::new(Options::default());
        s.set_source(Box::new(bytes.clone()));
        run_in_memory(&mut s, &bytes, 1 << 20).expect("analysis");
        s.ask(&Query::Threads { max_locals: 1 }).expect("threads")
    };
    let worker = threads
        .threads
        .iter()
        .find(|t| t.name == text(&facts["thread"]))
        .expect("the request-worker thread");
    assert_eq!(jwt.path[0].object, worker.object.object);
}

#[test]
fn no_planted_value_is_printed() {
    let facts = facts("secrets");
    let file = fixture("secrets.hprof");
    let mut outputs = Vec::new();
    for json in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_heapscope"));
        cmd.arg("secrets").arg(&file).arg("--quiet");
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().expect("heapscope runs");
        assert!(out.status.success());
        outputs.push(String::from_utf8(out.stdout).expect("utf-8"));
        outputs.push(String::from_utf8(out.stderr).expect("utf-8"));
    }
    let all = outputs.join("\n");
    assert!(all.contains("secret_map_entry"), "the scan ran");
    // The planted values, and the near misses that look like secrets (not the prose ones —
    // "at least 12 characters" is no secret, and its words may be anywhere — nor the URLs,
    // whose scheme the report names).
    let values = facts["planted"].as_array().expect("planted").iter().chain(
        facts["near_misses"]
            .as_array()
            .expect("near misses")
            .iter()
            .filter(|m| {
                let v = text(&m["value"]);
                v.len() >= 16 && !v.contains(' ') && !v.contains("://")
            }),
    );
    for p in values {
        let v = text(&p["value"]);
        let kind = p["kind"].as_str().unwrap_or("");
        let part = secret_part(kind, v);
        // No 8 characters in a row of a value (12 of a byte[]'s hex); masks show at most 4
        // at each end.
        let window = if p["class"] == "byte[]" { 12 } else { 8 };
        let chars: Vec<char> = part.chars().collect();
        for w in chars.windows(window) {
            let s: String = w.iter().collect();
            if s.trim().len() < window || s.contains('\n') {
                continue;
            }
            assert!(
                !all.contains(&s),
                "{s:?} of a planted value is in the output"
            );
        }
    }
}

/// What the scan reports on every other dump: nothing. (On the corpus's Sun JDK 6 dump
/// the static `javax.management.remote.JMXConnector.CREDENTIALS` holds the String
/// "jmx.remote.credentials": a field named like a secret, whose value is itself a key's
/// name — a constant, not reported; `value_naming_a_key_is_not_reported` checks it is
/// there.)
#[test]
fn other_fixtures_and_corpus_dumps_hold_none() {
    let files = every_dump()
        .into_iter()
        .filter(|f| !f.ends_with("secrets.hprof"));
    for f in files {
        let r = scan(&f);
        assert!(r.arrays_searched > 0, "{}", f.display());
        assert!(r.secrets.is_empty(), "{}: {:#?}", f.display(), r.secrets);
        assert!(r.by_kind.values().all(|&n| n == 0), "{}", f.display());
        assert_eq!(r.by_kind.len(), KINDS.len());
    }
}

#[test]
fn value_naming_a_key_is_not_reported() {
    let bytes = plain(&corpus("sun_jdk6_18_x32.hprof"));
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.clone()));
    run_in_memory(&mut s, &bytes, 1 << 20).expect("analysis");
    let c: Value = serde_json::to_value(
        s.query(&Query::Class {
            name: "javax.management.remote.JMXConnector".into(),
        })
        .expect("class"),
    )
    .expect("json");
    let statics = c["classes"][0]["statics"].to_string();
    assert!(statics.contains("CREDENTIALS"), "{statics}");
    assert!(statics.contains("jmx.remote.credentials"), "{statics}");
}

/// The fixture is the JVM's heap: its program's classes (`Secrets$…`, lambdas left out:
/// their names differ) have the instance counts of `jcmd GC.class_histogram` taken right
/// before the dump.
#[test]
fn the_fixture_has_the_jvm_instance_counts() {
    use heapscope::analysis::histogram::histogram;
    use heapscope::model::index_bytes;
    let index = index_bytes(&read(&fixture("secrets.hprof")), false).expect("parse");
    let ours = by_name(&histogram(&index));
    let jvm = jvm_histogram(&fixture("secrets.histo.txt"));
    let mine = |m: &std::collections::HashMap<String, (u64, u64)>| {
        let mut v: Vec<(String, u64)> = m
            .iter()
            .filter(|(n, _)| n.starts_with("Secrets$") && !n.contains("$$Lambda"))
            .map(|(n, c)| (n.clone(), c.0))
            .collect();
        v.sort();
        v
    };
    let theirs = mine(&jvm);
    // Holder and the six objects it holds.
    assert_eq!(theirs.len(), 7, "{theirs:?}");
    assert_eq!(mine(&ours), theirs);
}
