//! The collections report (`heapscope collections --json`) and the inspector's entries
//! and pages (`heapscope inspect --offset --limit`), against what the fixture programs
//! built (tests/fixtures/collections.facts.json, http_sessions.facts.json), and on the
//! corpus dumps (JDK 6, 8, 11 layouts) against the object graph itself.

mod common;
use common::*;
use heapscope::format::source::FileSource;
use heapscope::graph::refs::forward_graph;
use heapscope::model::index_bytes;
use heapscope::query::{ObjectId, Options, Query, Session, run_in_memory};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

fn session(p: &PathBuf) -> Session {
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(FileSource::open(p).expect("open")));
    run_in_memory(&mut s, &read(p), 1 << 20).expect("analysis");
    s
}

/// The answer's JSON (what `--json` prints).
fn ask(s: &mut Session, q: Query) -> Value {
    serde_json::to_value(s.query(&q).expect("answer")).expect("json")
}

fn collections(s: &mut Session, class: Option<&str>, holder: Option<&str>) -> Value {
    ask(
        s,
        Query::Collections {
            class: class.map(String::from),
            holder: holder.map(String::from),
            top: 100_000,
        },
    )
}

fn id(v: &Value) -> u64 {
    let s = v.as_str().expect("an object ID");
    u64::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex")
}

fn inspect(s: &mut Session, object: u64, offset: u64, limit: u32) -> Value {
    inspect_page(s, object, offset, 0, limit)
}

fn inspect_page(s: &mut Session, object: u64, offset: u64, refs: u64, limit: u32) -> Value {
    ask(
        s,
        Query::Inspect {
            object: ObjectId(object),
            max_items: limit,
            offset,
            referrers_offset: refs,
        },
    )
}

fn field<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .chain(view["statics"].as_array().expect("statics"))
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name} in {}", view["class"]))
}

/// The text of an entry side (a String's text, a boxed value), or its class.
fn text(item: &Value) -> String {
    let o = &item["object"];
    match o["value"].as_str() {
        Some(v) => v.to_string(),
        None if o.is_null() => "null".into(),
        None => format!("<{}>", o["class"].as_str().unwrap_or("?")),
    }
}

/// (key text, value text) of every entry (key "" for lists and sets).
fn entry_texts(entries: &Value) -> Vec<(String, String)> {
    entries
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            let k = if e["key"].is_null() {
                String::new()
            } else {
                text(&e["key"])
            };
            (k, text(&e["value"]))
        })
        .collect()
}

/// The objects of a field's array, in order (the holder `Fixtures$CollectionsHolder`).
fn array_elements(s: &mut Session, array: u64) -> Vec<u64> {
    let v = inspect(s, array, 0, 10_000);
    v["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .map(|e| id(&e["object"]["object"]))
        .collect()
}

/// The `Fixtures$CollectionsHolder.INSTANCE` object.
fn holder_instance(s: &mut Session) -> Value {
    let h = ask(
        s,
        Query::Instances {
            class: "Fixtures$CollectionsHolder".into(),
            limit: 10,
        },
    );
    let obj = id(&h["nodes"][0]["object"]);
    inspect(s, obj, 0, 100)
}

#[test]
fn every_collection_of_the_fixture_has_the_programs_size_capacity_and_holder() {
    let f = facts("collections");
    let mut s = session(&fixture("collections.hprof"));
    let holder = holder_instance(&mut s);
    let all = collections(&mut s, None, None);
    let ref_size = all["reference_bytes"].as_u64().expect("reference_bytes");
    assert_eq!(ref_size, 4, "the fixture runs with compressed oops");
    let groups = f["collections"].as_object().expect("collections");
    assert_eq!(groups.len(), 11, "every class of the brief");
    for (class, g) in groups {
        let fld = g["field"].as_str().expect("field");
        let sizes: Vec<u64> = g["sizes"]
            .as_array()
            .expect("sizes")
            .iter()
            .map(|v| v.as_u64().expect("size"))
            .collect();
        // null: no array yet (capacity 0 for us); no "capacities": no capacity at all.
        let caps: Vec<Option<u64>> = match g["capacities"].as_array() {
            Some(c) => c.iter().map(|v| Some(v.as_u64().unwrap_or(0))).collect(),
            None => vec![None; sizes.len()],
        };
        let n = g["instances"].as_u64().expect("instances");
        let holder_name = format!("{}.{fld}[]", f["holder_class"].as_str().expect("holder"));
        let r = collections(&mut s, None, Some(&holder_name));
        let what = format!("{class} in {holder_name}");
        // The group: one class, every instance, its empties and sums.
        assert_eq!(r["instances"], n, "{what}");
        assert_eq!(
            r["collections"].as_array().map(Vec::len),
            Some(n as usize),
            "{what}"
        );
        assert_eq!(r["empty"], g["empty"], "{what}");
        assert_eq!(r["size_total"], sizes.iter().sum::<u64>(), "{what}");
        let cap_total: Option<u64> = caps.iter().copied().sum();
        assert_eq!(r["capacity_total"], serde_json::json!(cap_total), "{what}");
        let rows = r["holders"].as_array().expect("holders");
        assert_eq!(rows.len(), 1, "{what}: {rows:?}");
        assert_eq!(rows[0]["holder"], holder_name.as_str());
        assert_eq!(rows[0]["class"], class.as_str());
        assert_eq!(rows[0]["instances"], n);
        // Per class (only this holder's instances): the fill ratios and sizes, counted.
        let c = &r["classes"][0];
        assert_eq!(c["class"], class.as_str());
        assert_eq!(c["base"], class.as_str());
        let mut by_size: BTreeMap<u64, u64> = BTreeMap::new();
        for &sz in &sizes {
            *by_size.entry(sz).or_default() += 1;
        }
        let got: BTreeMap<u64, u64> = c["by_size"]
            .as_array()
            .expect("by_size")
            .iter()
            .map(|x| {
                (
                    x["size"].as_u64().unwrap_or(0),
                    x["instances"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(got, by_size, "{what}: collections grouped by size");
        if caps.iter().all(Option::is_some) {
            let mut buckets = [0u64; 6];
            let mut ratios = Vec::new();
            for (sz, cap) in sizes.iter().zip(&caps) {
                let cap = cap.unwrap_or(0);
                if cap > 0 {
                    let r = *sz as f64 / cap as f64;
                    ratios.push(r);
                    buckets[if *sz == 0 {
                        0
                    } else {
                        ((r * 5.0).ceil() as usize).clamp(1, 5)
                    }] += 1;
                }
            }
            assert_eq!(c["fill_ratios"], serde_json::json!(buckets), "{what}");
            let avg = ratios.iter().sum::<f64>() / ratios.len() as f64;
            let got = c["average_fill_ratio"].as_f64().expect("average");
            assert!((got - avg).abs() < 1e-12, "{what}: {got} vs {avg}");
        } else {
            assert!(
                c["fill_ratios"].is_null() && c["capacity_total"].is_null(),
                "{what}"
            );
        }
        // Each instance, in the holder array's order: size, capacity, waste.
        let arr = id(&field(&holder, fld)["object"]["object"]);
        let objs = array_elements(&mut s, arr);
        assert_eq!(objs.len() as u64, n, "{what}");
        let mut array_backed_waste = 0;
        for (k, &o) in objs.iter().enumerate() {
            let v = inspect(&mut s, o, 0, 1000);
            let c = &v["collection"];
            let what = format!("{what} [{k}]");
            assert_eq!(v["class"], class.as_str(), "{what}");
            assert_eq!(c["size"], sizes[k], "{what}");
            assert_eq!(v["entries_total"], sizes[k], "{what}");
            assert_eq!(c["capacity"], serde_json::json!(caps[k]), "{what}");
            let waste = c["wasted_bytes"].as_u64().expect("wasted");
            match caps[k] {
                None => assert_eq!(waste, 0, "{what}: no capacity, nothing unused"),
                Some(cap)
                    if g["capacity_field"] == "elementData"
                        || g["capacity_field"] == "elements" =>
                {
                    assert_eq!(waste, (cap - sizes[k]) * ref_size, "{what}");
                    array_backed_waste += waste;
                }
                // A hash table: its null slots, at least capacity − size of them.
                Some(cap) => assert!(
                    waste >= cap.saturating_sub(sizes[k]) * ref_size && waste <= cap * ref_size,
                    "{what}: {waste}"
                ),
            }
            let kind = if class.ends_with("Map") || class.ends_with("Hashtable") {
                "map"
            } else if class.ends_with("Set") {
                "set"
            } else if class.ends_with("Deque") {
                "deque"
            } else {
                "list"
            };
            assert_eq!(c["kind"], kind, "{what}");
            // The entries are what the program put in.
            let got = entry_texts(&v["entries"]);
            assert_eq!(got.len() as u64, sizes[k], "{what}");
            let contents = g["contents"].as_str().expect("contents");
            let mut want: Vec<(String, String)> = (0..sizes[k])
                .map(|i| {
                    if contents.starts_with("String elem-<i> -> Integer") {
                        (format!("elem-{i}"), i.to_string())
                    } else if contents.starts_with("Integer") {
                        (String::new(), i.to_string())
                    } else {
                        (String::new(), format!("elem-{i}"))
                    }
                })
                .collect();
            let ordered = [
                "java.util.LinkedHashMap",
                "java.util.ArrayList",
                "java.util.ArrayDeque",
                "java.util.Vector",
                "java.util.LinkedList",
            ];
            if class == "java.util.TreeMap" {
                want.sort();
                assert_eq!(got, want, "{what}: a TreeMap in key order");
            } else if ordered.contains(&class.as_str()) {
                assert_eq!(got, want, "{what}: in insertion order");
            } else {
                let mut got = got;
                got.sort();
                want.sort();
                assert_eq!(got, want, "{what}");
            }
        }
        if g["capacity_field"] == "elementData" || g["capacity_field"] == "elements" {
            assert_eq!(r["wasted_bytes"], array_backed_waste, "{what}");
            assert!(array_backed_waste > 0, "{what}");
        }
    }
}

#[test]
fn a_sessions_attributes_are_one_click_from_the_session_maps_entry() {
    let f = facts("collections");
    let sf = &f["sessions"];
    let ex = &sf["example"];
    let mut s = session(&fixture("collections.hprof"));
    let holder = format!(
        "{}.{}",
        sf["holder_class"].as_str().expect("holder"),
        sf["holder_static_field"].as_str().expect("field")
    );
    let r = collections(&mut s, None, Some(&holder));
    assert_eq!(r["instances"], 1, "{r}");
    let map = &r["collections"][0];
    assert_eq!(map["object"]["class"], sf["map_class"]);
    assert_eq!(map["size"], sf["sessions"]);
    assert_eq!(map["capacity"], sf["map_table_length"]);
    let map_id = id(&map["object"]["object"]);
    let v = inspect(&mut s, map_id, 0, 1000);
    let entries = v["entries"].as_array().expect("entries");
    assert_eq!(entries.len() as u64, sf["sessions"].as_u64().expect("n"));
    let mut keys: Vec<String> = entries.iter().map(|e| text(&e["key"])).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 300);
    assert!(keys.iter().all(|k| k.starts_with("session-")));
    // The example session: its entry's value is the session, whose inspector shows the
    // attributes as entries (one click).
    let e = entries
        .iter()
        .find(|e| text(&e["key"]) == ex["id"].as_str().expect("id"))
        .expect("the example's entry");
    assert_eq!(e["value"]["object"]["class"], sf["session_class"]);
    let session = inspect(&mut s, id(&e["value"]["object"]["object"]), 0, 100);
    assert_eq!(
        field(&session, "createdAt")["value"],
        ex["created_at"].to_string()
    );
    let attrs = &field(&session, sf["attributes_field"].as_str().expect("field"))["collection"];
    assert_eq!(attrs["base"], sf["attributes_class"]);
    assert_eq!(attrs["entries_total"], sf["attributes_per_session"]);
    assert_eq!(attrs["capacity"], sf["attributes_table_length"]);
    let got: HashMap<String, Value> = attrs["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (text(&e["key"]), e["value"].clone()))
        .collect();
    let mut keys: Vec<&String> = got.keys().collect();
    keys.sort();
    let mut want: Vec<&str> = sf["attribute_keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k.as_str().expect("key"))
        .collect();
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(text(&got["user"]), ex["user"].as_str().expect("user"));
    // The cart: an ArrayList of the program's strings.
    let cart = inspect(&mut s, id(&got["cart"]["object"]["object"]), 0, 100);
    let items: Vec<String> = entry_texts(&cart["entries"])
        .into_iter()
        .map(|e| e.1)
        .collect();
    let want: Vec<String> = ex["cart"]
        .as_array()
        .expect("cart")
        .iter()
        .map(|x| x.as_str().expect("item").to_string())
        .collect();
    assert_eq!(items, want);
    // The locale: en_US.
    assert_eq!(got["locale"]["object"]["class"], "java.util.Locale");
    let locale = inspect(&mut s, id(&got["locale"]["object"]["object"]), 0, 100);
    let base = inspect(
        &mut s,
        id(&field(&locale, "baseLocale")["object"]["object"]),
        0,
        100,
    );
    let lang = field(&base, "language")["object"]["value"]
        .as_str()
        .unwrap_or("");
    let region = field(&base, "region")["object"]["value"]
        .as_str()
        .unwrap_or("");
    assert_eq!(
        format!("{lang}_{region}"),
        ex["locale"].as_str().expect("locale")
    );
}

#[test]
fn the_http_servers_sessions_show_their_attributes() {
    let f = facts("http_sessions");
    let ex = &f["example"];
    let mut s = session(&fixture("http_sessions.hprof"));
    let holder = format!(
        "{}.{}",
        f["store_class"].as_str().expect("store"),
        f["store_field"].as_str().expect("field")
    );
    let r = collections(&mut s, None, Some(&holder));
    assert_eq!(r["instances"], 1, "{r}");
    assert_eq!(r["collections"][0]["object"]["class"], f["store_map_class"]);
    assert_eq!(r["collections"][0]["size"], f["sessions"]);
    let v = inspect(
        &mut s,
        id(&r["collections"][0]["object"]["object"]),
        0,
        1000,
    );
    assert_eq!(v["entries_total"], f["sessions"]);
    let e = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| text(&e["key"]) == ex["id"].as_str().expect("id"))
        .expect("the example session");
    assert_eq!(e["value"]["object"]["class"], f["session_class"]);
    let session = inspect(&mut s, id(&e["value"]["object"]["object"]), 0, 100);
    let attrs = &field(
        &session,
        f["session_attributes_field"].as_str().expect("field"),
    )["collection"];
    let got: HashMap<String, String> = entry_texts(&attrs["entries"]).into_iter().collect();
    assert_eq!(got.len(), 3);
    for k in ["user", "visits", "lastPath"] {
        let want = match &ex[k] {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        assert_eq!(got.get(k), Some(&want), "{k}");
    }
    // The 200 attribute maps are grouped by their field.
    let held = format!("{}.attributes", f["session_class"].as_str().expect("class"));
    let r = collections(&mut s, None, Some(&held));
    assert_eq!(r["instances"], f["sessions"]);
    assert_eq!(r["size_total"], 3 * f["sessions"].as_u64().expect("n"));
}

#[test]
fn pages_list_every_element_entry_and_referrer_once() {
    let mut s = session(&fixture("collections.hprof"));
    let holder = holder_instance(&mut s);
    // An array of 500 strings, in pages of 7.
    let arr = id(&field(&holder, "duplicatesA")["object"]["object"]);
    let whole = inspect(&mut s, arr, 0, 1000);
    assert_eq!(whole["length"], 500);
    let all: Vec<Value> = whole["elements"].as_array().expect("elements").clone();
    assert_eq!(all.len(), 500);
    let mut paged = Vec::new();
    let mut offset = 0;
    while offset < 510 {
        let p = inspect(&mut s, arr, offset, 7);
        let e = p["elements"].as_array().expect("elements");
        assert!(e.len() <= 7);
        paged.extend(e.iter().cloned());
        offset += 7;
    }
    assert_eq!(paged, all, "every element exactly once, in order");
    let idx: Vec<u64> = paged
        .iter()
        .map(|e| e["index"].as_u64().expect("index"))
        .collect();
    assert_eq!(idx, (0..500).collect::<Vec<u64>>());
    // A map's entries in pages.
    let sessions = collections(&mut s, None, Some("Fixtures$SessionRegistry.SESSIONS"));
    let map = id(&sessions["collections"][0]["object"]["object"]);
    let whole = inspect(&mut s, map, 0, 1000);
    let mut paged = Vec::new();
    for k in 0..50 {
        let p = inspect(&mut s, map, k * 7, 7);
        assert_eq!(p["entries_total"], 300);
        paged.extend(p["entries"].as_array().expect("entries").iter().cloned());
    }
    assert_eq!(
        &paged,
        whole["entries"].as_array().expect("entries"),
        "entries in pages"
    );
    // Referrers in pages: "elem-0" is in the key pool and in most collections.
    let pool = id(&field(&holder, "keyPool")["object"]["object"]);
    let cls = id(&inspect(&mut s, pool, 0, 1)["elements"][0]["object"]["object"]);
    let whole = inspect_page(&mut s, cls, 0, 0, 100_000);
    let total = whole["referrers_total"].as_u64().expect("total");
    assert!(total > 20, "{total}");
    let all: Vec<Value> = whole["referrers"].as_array().expect("referrers").clone();
    assert_eq!(all.len() as u64, total);
    let mut paged = Vec::new();
    let mut off = 0;
    while off <= total {
        let p = inspect_page(&mut s, cls, 0, off, 3);
        paged.extend(
            p["referrers"]
                .as_array()
                .expect("referrers")
                .iter()
                .cloned(),
        );
        off += 3;
    }
    assert_eq!(paged, all, "referrers in pages");
}

/// For every `java.util.HashMap` (the class itself), the entry objects reachable from its
/// table through entry objects only, counted on the forward graph of the dump.
fn hashmap_nodes(bytes: &[u8]) -> HashMap<u64, u64> {
    let index = index_bytes(bytes, true).expect("index");
    let roots = heapscope::model::roots::resolve(&index, &mut Default::default());
    let (fwd, _) = forward_graph(bytes, &index, &roots, false).expect("pass");
    let classes = &index.classes;
    let objects = index.objects.as_ref().expect("objects");
    let class_of = |x: u32| objects.class_of.get(x as usize).unwrap_or(u32::MAX);
    let named = |names: &[&str]| -> Vec<u32> {
        names
            .iter()
            .flat_map(|n| classes.by_name(n).to_vec())
            .collect()
    };
    let maps = named(&["java.util.HashMap"]);
    let tables = named(&["java.util.HashMap$Node[]", "java.util.HashMap$Entry[]"]);
    let nodes = named(&[
        "java.util.HashMap$Node",
        "java.util.HashMap$TreeNode",
        "java.util.HashMap$Entry",
    ]);
    let mut out = HashMap::new();
    for x in objects.class_objects..objects.len() as u32 {
        if !maps.contains(&class_of(x)) {
            continue;
        }
        let mut table = None;
        fwd.for_each(x, |t| {
            if tables.contains(&class_of(t)) {
                table = Some(t);
            }
        });
        let mut seen = std::collections::HashSet::new();
        let mut stack = Vec::new();
        if let Some(t) = table {
            fwd.for_each(t, |n| {
                if nodes.contains(&class_of(n)) && seen.insert(n) {
                    stack.push(n);
                }
            });
        }
        while let Some(n) = stack.pop() {
            fwd.for_each(n, |m| {
                if nodes.contains(&class_of(m)) && seen.insert(m) {
                    stack.push(m);
                }
            });
        }
        out.insert(objects.ids.id_of(x).expect("id"), seen.len() as u64);
    }
    out
}

#[test]
fn corpus_collections_are_consistent_in_every_jdk_layout() {
    for (name, gz) in [
        ("sun_jdk6_18_x32.hprof", false),
        ("sun_jdk6_30_x64_compressedOops.hprof", false),
        ("oracle_jdk8_05_x64.hprof", false),
        ("openjdk_jdk11_04_x64.hprof.gz", true),
    ] {
        let p = corpus(name);
        let mut s = session(&p);
        let all = collections(&mut s, None, None);
        let n = all["instances"].as_u64().expect("instances");
        assert!(n > 40, "{name}: {n}");
        let rows = all["collections"].as_array().expect("collections");
        assert_eq!(rows.len() as u64, n);
        let mut sums: HashMap<String, (u64, u64)> = HashMap::new();
        for r in rows {
            let what = format!("{name}: {} {}", r["object"]["class"], r["object"]["object"]);
            let size = r["size"].as_u64().expect("size");
            let e = sums
                .entry(r["object"]["class"].as_str().expect("class").to_string())
                .or_default();
            e.0 += 1;
            e.1 += size;
            match r["capacity"].as_u64() {
                Some(cap) if ["list", "deque"].contains(&r["kind"].as_str().unwrap_or("")) => {
                    assert!(size <= cap, "{what}: size {size} > capacity {cap}");
                    let ref_size = all["reference_bytes"].as_u64().expect("ref");
                    assert_eq!(r["wasted_bytes"], (cap - size) * ref_size, "{what}");
                }
                Some(cap) => {
                    assert!(cap > 0 || size == 0, "{what}: entries without a table");
                    assert!(r["wasted_bytes"].as_u64().expect("w") <= cap * 8, "{what}");
                }
                None => assert_eq!(r["wasted_bytes"], 0, "{what}"),
            }
        }
        // The class rows sum the instances.
        for c in all["classes"].as_array().expect("classes") {
            let (k, sz) = sums[c["class"].as_str().expect("class")];
            assert_eq!(
                (c["instances"].as_u64(), c["size_total"].as_u64()),
                (Some(k), Some(sz)),
                "{name}"
            );
        }
        // A HashMap's size is the number of its entry objects (the forward graph, from
        // its table, through entries only).
        let bytes = if gz {
            let mut out = Vec::new();
            use std::io::Read;
            flate2::read::MultiGzDecoder::new(&read(&p)[..])
                .read_to_end(&mut out)
                .expect("gunzip");
            out
        } else {
            read(&p)
        };
        let nodes = hashmap_nodes(&bytes);
        let maps = collections(&mut s, Some("java.util.HashMap"), None);
        let rows = maps["collections"].as_array().expect("collections");
        let mut inner = 0;
        for r in rows {
            let obj = id(&r["object"]["object"]);
            assert_eq!(
                Some(&r["size"].as_u64().expect("size")),
                nodes.get(&obj),
                "{name}: {obj:#x}"
            );
        }
        // Those not listed are the sets' maps, counted as the sets.
        for (&obj, &count) in &nodes {
            if !rows.iter().any(|r| id(&r["object"]["object"]) == obj) {
                inner += 1;
                let v = inspect(&mut s, obj, 0, 1);
                assert_eq!(v["collection"]["size"], count, "{name}: {obj:#x}");
            }
        }
        assert!(
            inner <= all["inner_maps"].as_u64().expect("inner"),
            "{name}"
        );
        assert!(nodes.values().sum::<u64>() > 0, "{name}");
        // Walking each collection finds as many entries as it counts.
        for r in all["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .take(400)
        {
            let obj = id(&r["object"]["object"]);
            let size = r["size"].as_u64().expect("size");
            let v = inspect(&mut s, obj, 0, 100_000);
            assert_eq!(
                v["entries"].as_array().expect("entries").len() as u64,
                size,
                "{name}: {} {obj:#x}",
                r["object"]["class"]
            );
        }
    }
}
