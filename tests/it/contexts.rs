//! Contexts as Confluent has them: `:.ctx:subject` names, ids counted per context, the
//! path-prefix form, context-level config and mode, `:.__GLOBAL:`, id resolution with a
//! subject hint, the unqualified fallback, references within a context, and grants.

use crate::common::*;
use serde_json::{json, Value};

fn avro(name: &str, field: &str) -> Value {
    json!({"schema": record(name, json!([{"name": field, "type": "string"}])).to_string()})
}

async fn id_of(s: &TestServer, subject: &str, body: Value) -> i64 {
    let (status, answer) = s.post(&format!("/subjects/{subject}/versions"), body).await;
    assert_eq!(status, 200, "{subject}: {answer}");
    answer["id"].as_i64().unwrap()
}

#[tokio::test]
async fn each_context_counts_its_own_ids_and_shares_them_only_within() {
    let s = TestServer::start().await;
    let (status, _) = s
        .put("/config/:.__GLOBAL:", json!({"compatibility": "NONE"}))
        .await;
    assert_eq!(status, 200);
    let a = avro("A", "a");
    let b = avro("B", "b");
    assert_eq!(id_of(&s, "orders", a.clone()).await, 1);
    assert_eq!(id_of(&s, "orders", avro("A", "a2")).await, 2);
    // A new context starts at 1, and the same schema there is not the default context's.
    assert_eq!(id_of(&s, ":.eu:orders", b.clone()).await, 1);
    assert_eq!(id_of(&s, ":.eu:orders", a.clone()).await, 2);
    // Within a context the same schema keeps its id under another subject.
    assert_eq!(id_of(&s, ":.eu:refunds", b.clone()).await, 1);
    assert_eq!(id_of(&s, "refunds", a.clone()).await, 1);
    // `:eu:` is the same context, spelled without its dot.
    assert_eq!(id_of(&s, ":eu:refunds", b.clone()).await, 1);
    let (_, subjects) = s.get("/subjects").await;
    assert_eq!(
        subjects,
        json!([":.eu:orders", ":.eu:refunds", "orders", "refunds"])
    );

    // By id: the default context, unless a subject says which.
    let (_, by_id) = s.get("/schemas/ids/1").await;
    assert!(by_id["schema"].as_str().unwrap().contains("\"A\""));
    let (_, by_id) = s.get("/schemas/ids/1?subject=:.eu:orders").await;
    assert!(
        by_id["schema"].as_str().unwrap().contains("\"B\""),
        "{by_id}"
    );
    let (_, by_id) = s.get("/contexts/.eu/schemas/ids/1").await;
    assert!(
        by_id["schema"].as_str().unwrap().contains("\"B\""),
        "{by_id}"
    );
    // A subject that does not hold the id is a hint: its context is searched.
    let (_, by_id) = s.get("/schemas/ids/2?subject=:.eu:nothing-here").await;
    assert!(
        by_id["schema"].as_str().unwrap().contains("\"A\""),
        "{by_id}"
    );
    let (status, _) = s.get("/schemas/ids/3?subject=:.eu:orders").await;
    assert_eq!(status, 404);
    let (_, versions) = s.get("/schemas/ids/1/versions?subject=:.eu:").await;
    assert_eq!(
        versions,
        json!([{"subject": ":.eu:orders", "version": 1}, {"subject": ":.eu:refunds", "version": 1}])
    );

    // Versions answer the id as the context counts it.
    let (_, latest) = s.get("/subjects/:.eu:orders/versions/latest").await;
    assert_eq!(
        (latest["id"].clone(), latest["version"].clone()),
        (json!(2), json!(2))
    );
    let (_, prefixed) = s.get("/contexts/.eu/subjects/orders/versions/1").await;
    assert_eq!(prefixed["subject"], ":.eu:orders");
    assert_eq!(prefixed["id"], 1);
    let (_, looked_up) = s.post("/subjects/:.eu:orders", a.clone()).await;
    assert_eq!(
        (looked_up["id"].clone(), looked_up["version"].clone()),
        (json!(2), json!(2))
    );

    let (_, contexts) = s.get("/contexts").await;
    assert_eq!(contexts, json!([".", ".eu"]));
    let (_, in_eu) = s.get("/subjects?subjectPrefix=:.eu:").await;
    assert_eq!(in_eu, json!([":.eu:orders", ":.eu:refunds"]));
    let (_, in_eu) = s.get("/contexts/.eu/subjects").await;
    assert_eq!(in_eu, json!([":.eu:orders", ":.eu:refunds"]));
    let (_, max) = s
        .get("/schemas/ids/1?subject=:.eu:orders&fetchMaxId=true")
        .await;
    assert_eq!(max["maxId"], 2);
}

#[tokio::test]
async fn an_unqualified_subject_missing_from_the_default_context_is_found_in_another() {
    let s = TestServer::start().await;
    let id = id_of(&s, ":.staging:payments", avro("P", "p")).await;
    assert_eq!(id, 1);
    let (status, found) = s.get("/subjects/payments/versions/latest").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["subject"], ":.staging:payments");
    let (status, found) = s.post("/subjects/payments", avro("P", "p")).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["subject"], ":.staging:payments");
    // The same name in the default context wins once it exists.
    id_of(&s, "payments", avro("Q", "q")).await;
    let (_, found) = s.get("/subjects/payments/versions/latest").await;
    assert_eq!(found["subject"], "payments");
    // With a subject hint, ids resolve in the context that holds that name with that id.
    let (_, by_id) = s.get("/schemas/ids/1?subject=payments").await;
    assert!(
        by_id["schema"].as_str().unwrap().contains("\"Q\""),
        "{by_id}"
    );
}

#[tokio::test]
async fn config_and_mode_apply_per_context_then_globally() {
    let s = TestServer::start().await;
    id_of(&s, ":.eu:orders", avro("A", "a")).await;
    id_of(&s, "orders", avro("A", "a")).await;
    // A change that BACKWARD refuses (a new field without a default).
    let breaking = json!({"schema": record("A", json!([
        {"name": "a", "type": "string"}, {"name": "b", "type": "string"}
    ])).to_string()});

    let (status, _) = s
        .put("/contexts/.eu/config", json!({"compatibility": "NONE"}))
        .await;
    assert_eq!(status, 200);
    let (_, own) = s.get("/config/:.eu:").await;
    assert_eq!(own["compatibilityLevel"], "NONE");
    let (_, effective) = s.get("/config/:.eu:orders?defaultToGlobal=true").await;
    assert_eq!(effective["compatibilityLevel"], "NONE");
    let (status, _) = s
        .post("/subjects/:.eu:orders/versions", breaking.clone())
        .await;
    assert_eq!(status, 200);
    let (status, _) = s.post("/subjects/orders/versions", breaking.clone()).await;
    assert_eq!(status, 409);

    // `:.__GLOBAL:` stands under every context without a level of its own.
    let (status, _) = s
        .put("/config/:.__GLOBAL:", json!({"compatibility": "FULL"}))
        .await;
    assert_eq!(status, 200);
    let (_, effective) = s.get("/config/:.us:anything?defaultToGlobal=true").await;
    assert_eq!(effective["compatibilityLevel"], "FULL");
    let (_, effective) = s.get("/config/:.eu:orders?defaultToGlobal=true").await;
    assert_eq!(effective["compatibilityLevel"], "NONE");
    let (_, top) = s.get("/config").await;
    assert_eq!(top["compatibilityLevel"], "FULL");
    let (status, refused) = s
        .post("/subjects/:.__GLOBAL:x/versions", avro("X", "x"))
        .await;
    assert_eq!((status, refused["error_code"].clone()), (422, json!(42208)));

    let (status, _) = s
        .put("/contexts/.eu/mode", json!({"mode": "READONLY"}))
        .await;
    assert_eq!(status, 200);
    let (status, refused) = s
        .post("/subjects/:.eu:other/versions", avro("O", "o"))
        .await;
    assert_eq!(status, 422);
    assert_eq!(refused["error_code"], 42205);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("in context .eu"),
        "{refused}"
    );
    let (status, _) = s.post("/subjects/other/versions", avro("O", "o")).await;
    assert_eq!(status, 200);
    let (_, mode) = s.get("/mode/:.eu:other?defaultToGlobal=true").await;
    assert_eq!(mode["mode"], "READONLY");
}

#[tokio::test]
async fn import_keeps_a_linked_registrys_ids_in_their_own_context() {
    let s = TestServer::start().await;
    assert_eq!(id_of(&s, "orders", avro("A", "a")).await, 1);
    // Id 1 of another registry, brought into a context of its own, does not meet ours.
    let (status, _) = s.put("/mode/:.linked:", json!({"mode": "IMPORT"})).await;
    assert_eq!(status, 200);
    let mut imported = avro("Z", "z");
    imported["id"] = json!(1);
    imported["version"] = json!(3);
    let (status, answer) = s.post("/subjects/:.linked:orders/versions", imported).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["id"], 1);
    let mut clash = avro("Y", "y");
    clash["id"] = json!(1);
    let (status, refused) = s.post("/subjects/:.linked:other/versions", clash).await;
    assert_eq!(status, 422, "{refused}");
    s.delete("/mode/:.linked:").await;
    // New ids in that context start past the imported one.
    assert_eq!(id_of(&s, ":.linked:new", avro("N", "n")).await, 2);
    let (_, ours) = s.get("/schemas/ids/1").await;
    assert!(ours["schema"].as_str().unwrap().contains("\"A\""));
    let (_, theirs) = s.get("/schemas/ids/1?subject=:.linked:orders").await;
    assert!(theirs["schema"].as_str().unwrap().contains("\"Z\""));
}

#[tokio::test]
async fn references_without_a_context_stay_in_the_referrers() {
    let s = TestServer::start().await;
    let address = record("Address", json!([{"name": "street", "type": "string"}]));
    let other = record("Address", json!([{"name": "zip", "type": "int"}]));
    id_of(&s, "address", json!({"schema": other.to_string()})).await;
    id_of(&s, ":.eu:address", json!({"schema": address.to_string()})).await;
    let order = json!({
        "schema": record("Order", json!([{"name": "to", "type": "Address"}])).to_string(),
        "references": [{"name": "Address", "subject": "address", "version": 1}]
    });
    let (status, answer) = s.post("/subjects/:.eu:order/versions", order).await;
    assert_eq!(status, 200, "{answer}");
    let order_id = answer["id"].clone();
    let (_, referrers) = s
        .get("/subjects/:.eu:address/versions/1/referencedby")
        .await;
    assert_eq!(referrers, json!([order_id]));
    let (_, referrers) = s.get("/subjects/address/versions/1/referencedby").await;
    assert_eq!(referrers, json!([]));
    // The default context's `address` is not what the order uses: it can go.
    assert_eq!(s.delete("/subjects/address/versions/1").await.0, 200);
    let (status, refused) = s.delete("/subjects/:.eu:address/versions/1").await;
    assert_eq!((status, refused["error_code"].clone()), (422, json!(42206)));
    let (_, version) = s.get("/subjects/:.eu:order/versions/1").await;
    assert_eq!(version["references"][0]["subject"], ":.eu:address");
}

#[tokio::test]
async fn a_context_with_subjects_cannot_be_deleted() {
    let s = TestServer::start().await;
    id_of(&s, ":.eu:orders", avro("A", "a")).await;
    let (status, refused) = s.delete("/contexts/.eu").await;
    assert_eq!(status, 422);
    assert_eq!(refused["error_code"], 42211);
    assert_eq!(s.delete("/subjects/:.eu:orders").await.0, 200);
    assert_eq!(
        s.delete("/subjects/:.eu:orders?permanent=true").await.0,
        200
    );
    assert_eq!(s.delete("/contexts/.eu").await.0, 204);
    let (_, contexts) = s.get("/contexts").await;
    assert_eq!(contexts, json!(["."]));
    // Its ids stay spent.
    assert_eq!(id_of(&s, ":.eu:orders", avro("B", "b")).await, 2);
}

#[tokio::test]
async fn guids_name_the_context_of_their_id() {
    let s = TestServer::start_with(|c| c.dialect = herald::serve_settings::Dialect::V8).await;
    let (_, answer) = s
        .post("/subjects/:.eu:orders/versions", avro("A", "a"))
        .await;
    let guid = answer["guid"].as_str().unwrap().to_string();
    let (_, ids) = s.get(&format!("/schemas/guids/{guid}/ids")).await;
    assert_eq!(ids, json!([{"context": ".eu", "id": 1}]));
}

#[tokio::test]
async fn grants_hold_across_contexts() {
    let s = TestServer::start_with(|c| c.auth = true).await;
    let admin = crate::auth::token(&s, "root", "admin", &[]).await;
    let scoped = crate::auth::token(&s, "orders", "reader", &["orders*"]).await;
    let (status, _) = crate::auth::call(
        &s,
        Some(&admin),
        "POST",
        "/subjects/:.eu:orders-value/versions",
        Some(avro("A", "a")),
    )
    .await;
    assert_eq!(status, 200);
    // The fallback does not reach a subject the grants leave out, nor does the prefix form.
    for path in [
        "/subjects/orders-value/versions/latest",
        "/contexts/.eu/subjects/orders-value/versions/latest",
        "/subjects/:.eu:orders-value/versions/latest",
    ] {
        let (status, _) = crate::auth::call(&s, Some(&scoped), "GET", path, None).await;
        assert!(status == 403 || status == 404, "{path}: {status}");
    }
    let (status, _) = crate::auth::call(
        &s,
        Some(&scoped),
        "GET",
        "/schemas/ids/1?subject=:.eu:orders-value",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, contexts) = crate::auth::call(&s, Some(&scoped), "GET", "/contexts", None).await;
    assert_eq!(contexts, json!(["."]));
    let (_, contexts) = crate::auth::call(&s, Some(&admin), "GET", "/contexts", None).await;
    assert_eq!(contexts, json!([".", ".eu"]));
}

#[tokio::test]
async fn only_ids_the_wire_format_carries_name_a_schema() {
    let s = TestServer::start().await;
    id_of(&s, ":.eu:orders", avro("A", "a")).await;
    // -(2^32 + 1) is how the context's id 1 is stored; a client cannot reach it that way.
    for path in [
        "/schemas/ids/-4294967297",
        "/schemas/ids/-4294967297/versions",
        "/schemas/ids/-9223372036854775808/versions?subject=",
        "/schemas/ids/9223372036854775807/subjects",
        "/schemas/ids/2147483648?subject=:.eu:orders",
    ] {
        let (status, body) = s.get(path).await;
        assert_eq!(
            (status, body["error_code"].clone()),
            (404, json!(40403)),
            "{path}"
        );
    }
    let (status, _) = s
        .post(
            "/herald/v1/schemas/ids/-4294967297/validate",
            json!({"payload": {"a": "x"}}),
        )
        .await;
    assert_eq!(status, 404);
}
