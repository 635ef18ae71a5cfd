//! The catalog's HTML pages on the demo catalog: each page's content, escaping of what people
//! write, pagination, the decoder, and the same authorisation as the JSON reads.

use crate::common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn home_counts_recent_changes_and_sunsets() {
    let s = demo().await;
    let body = html(&s, "/ui").await;
    assert_has(
        &body,
        &[
            "<strong>15</strong> events",
            "<strong>7</strong> services",
            "<strong>5</strong> teams",
            "<strong>6</strong> domains",
            r#"<form class="search big" role="search" action="/ui/search""#,
            r#"<label for="home-q">"#,
        ],
    );
    let sunsets = section(&body, "sunset-h");
    assert_has(
        sunsets,
        &[
            "payments.payment.processed</a>",
            "2027-03-31",
            r#"href="/ui/events/payments.payment.processed.v2""#,
        ],
    );
    assert!(!sunsets.contains("orders.order.placed"), "{sunsets}");
    let recent = section(&body, "recent-h");
    assert_eq!(recent.matches("<tr>").count(), 11, "{recent}");
    // The trailing slash is trimmed, and `/` stays Confluent's JSON.
    html(&s, "/ui/").await;
    assert_eq!(s.get("/").await, (200, json!({})));
}

#[tokio::test]
async fn search_groups_by_kind_and_finds_fields_at_any_depth() {
    let s = demo().await;
    let body = html(&s, "/ui/search?q=orderId").await;
    let fields = section(&body, "group-fields");
    assert_has(
        fields,
        &[
            r#"href="/ui/events/orders.order.placed""#,
            r#"href="/ui/events/payments.payment.processed""#,
            r#"href="/ui/events/orders.order.cancelled""#,
            "orderId: string",
        ],
    );
    // Groups without a hit are left out.
    assert!(!body.contains("No matches"), "{body}");
    assert!(!body.contains("id=\"group-teams\""), "{body}");
    assert!(body.contains("id=\"group-fields\""));
    // A field hit: its doc, a link to its row on the version page, the consumers reading it.
    assert_has(
        fields,
        &[
            "/versions/3#field-orderId\">orders.order.placed-value v3, field orderId</a>",
            "read by notification-service, payment-service",
        ],
    );
    let amount = html(&s, "/ui/search?q=amount&kind=fields").await;
    assert!(section(&amount, "group-fields").contains(" — "), "{amount}");
    // A field inside the items of an array is found by its own name.
    let nested = html(&s, "/ui/search?q=sku&kind=fields").await;
    assert_has(
        section(&nested, "group-fields"),
        &["lines[].sku: string", "orders.order.placed"],
    );
    assert!(!nested.contains("id=\"group-events\""));
    // Names and descriptions of catalog entities.
    let teams = html(&s, "/ui/search?q=checkout").await;
    assert_has(
        section(&teams, "group-teams"),
        &[r#"href="/ui/teams/checkout""#],
    );
    assert_has(
        section(&teams, "group-events"),
        &[r#"href="/ui/events/orders.order.placed""#],
    );
    let subjects = html(&s, "/ui/search?q=cancelled-value").await;
    assert_has(
        section(&subjects, "group-subjects"),
        &["/ui/subjects/orders.order.cancelled-value"],
    );
    let none = html(&s, "/ui/search?q=zzzz-nothing").await;
    assert_has(&none, &["0 results for <strong>zzzz-nothing</strong>"]);
}

#[tokio::test]
async fn event_page_shows_owner_flow_links_and_versions() {
    let s = demo().await;
    let body = html(&s, "/ui/events/orders.order.placed").await;
    assert_has(
        &body,
        &[
            "<h1>orders.order.placed <span class=\"badge active\"",
            r#"<a href="/ui/teams/checkout">checkout</a>"#,
            "mailto:checkout@shop.example",
            "#team-checkout",
            "kafka topic orders.order.placed",
            "<p>A customer placed an order at checkout.</p>",
            "<code>order-service</code>",
        ],
    );
    let producers = section(&body, "producers-h");
    assert_has(
        producers,
        &["/ui/services/order-service", "<code>1.2.0</code>"],
    );
    assert!(!producers.contains("payment-service"), "{producers}");
    let consumers = section(&body, "consumers-h");
    assert_has(
        consumers,
        &[
            "/ui/services/payment-service",
            "orderId, amount, currency, coupon",
            "/ui/services/inventory-service",
            "/ui/services/notification-service",
            "/ui/services/analytics-service",
            "<code>^1.1</code>",
        ],
    );
    let versions = section(&body, "versions-h");
    assert_has(
        versions,
        &[
            "orders.order.placed-value",
            "/ui/subjects/orders.order.placed-value/versions/3",
            "<td>1.0.0</td>",
            "<td>1.1.0</td>",
            "<td>1.2.0</td>",
            "/ui/subjects/orders.order.placed-value/diff?from=2&amp;to=3",
            " UTC</td>",
        ],
    );
    let graph = section(&body, "flow-h");
    assert_has(
        graph,
        &[
            "<svg class=\"graph\"",
            "<title id=\"graph-title\">Producers and consumers of orders.order.placed</title>",
            r#"<a href="/ui/services/order-service" class="node service">"#,
            r#"<a href="/ui/events/orders.order.placed" class="node event own">"#,
        ],
    );
    assert_eq!(graph.matches("class=\"edge produces\"").count(), 1);
    assert_eq!(graph.matches("class=\"edge consumes\"").count(), 4);

    let deprecated = html(&s, "/ui/events/payments.payment.processed").await;
    assert_has(
        &deprecated,
        &[
            "<span class=\"badge deprecated\" id=\"lifecycle\">deprecated</span>",
            "<dt>Sunset</dt><dd>2027-03-31</dd>",
            r#"<a href="/ui/events/payments.payment.processed.v2">"#,
            r#"<a href="/ui/teams/payments">payments</a>"#,
        ],
    );
    assert_has(
        section(&deprecated, "producers-h"),
        &["/ui/services/payment-service", "<code>1.1.0</code>"],
    );

    let cancelled = html(&s, "/ui/events/orders.order.cancelled").await;
    assert_has(
        section(&cancelled, "consumers-h"),
        &[
            "/ui/services/inventory-service",
            "/ui/services/payment-service",
        ],
    );
    let (status, ct, missing) = page(&s, "/ui/events/no.such.event").await;
    assert_eq!((status, ct.as_str()), (404, "text/html; charset=utf-8"));
    assert_has(&missing, &["event &#39;no.such.event&#39; not found"]);
}

#[tokio::test]
async fn service_team_and_domain_pages() {
    let s = demo().await;
    let service = html(&s, "/ui/services/payment-service").await;
    assert_has(
        &service,
        &[
            "<h1>payment-service</h1>",
            "Captures payments and issues refunds.",
            r#"<a href="/ui/teams/payments">payments</a>"#,
            "https://git.shop.example/payments/payment-service",
        ],
    );
    let produces = section(&service, "produces-h");
    assert_has(
        produces,
        &[
            "payments.payment.processed</a> <span class=\"badge deprecated\">",
            "<code>1.1.0</code>",
            "payments.refund.issued",
        ],
    );
    assert_has(
        section(&service, "consumes-h"),
        &[
            "orders.order.placed",
            "<code>^1.1</code>",
            "orders.order.cancelled",
        ],
    );

    let team = html(&s, "/ui/teams/checkout").await;
    assert_has(
        &team,
        &[
            "<h1>Team checkout</h1>",
            "ana, bjorn, chen",
            "checkout@shop.example",
        ],
    );
    assert_has(
        section(&team, "owns-events-h"),
        &["orders.order.placed", "orders.order.cancelled"],
    );
    assert_has(
        section(&team, "owns-services-h"),
        &["/ui/services/order-service"],
    );
    assert_has(
        section(&team, "consumes-h"),
        &["payments.payment.processed.v2", "orderId, amount, currency"],
    );
    assert_has(&html(&s, "/ui/teams").await, &["/ui/teams/fulfilment"]);

    let domain = html(&s, "/ui/domains/orders").await;
    assert_has(
        &domain,
        &[
            "<h1>Domain orders</h1>",
            "Orders placed by customers, from checkout to cancellation.",
            "<title id=\"graph-title\">Service map of domain orders</title>",
            r#"class="node event own"><title>orders.order.placed</title>"#,
        ],
    );
    // Each service once, other domains' events set apart, full names kept, and a legend.
    let map = section(&domain, "map-h");
    assert_eq!(
        map.matches(r#"<a href="/ui/services/order-service""#)
            .count(),
        1,
        "{map}"
    );
    assert_has(
        map,
        &[
            r#"class="node event foreign"><title>payments.payment.processed.v2</title>"#,
            "<ul class=\"legend\"",
        ],
    );
    assert!(!map.contains('…'), "{map}");

    // The service page: its own graph, the team's contact, the AsyncAPI export, no column
    // repeating its name.
    let service = html(&s, "/ui/services/payment-service").await;
    assert_has(
        &service,
        &[
            "<title id=\"graph-title\">Events payment-service produces and consumes</title>",
            r#"class="node event own deprecated"><title>payments.payment.processed</title>"#,
            r#"href="/herald/v1/services/payment-service/asyncapi.yaml""#,
            r#"<dd id="contact">"#,
        ],
    );
    assert!(!section(&service, "produces-h").contains(">Service</th>"));
    assert_has(
        section(&domain, "services-h"),
        &["/ui/services/order-service"],
    );
    assert_has(&html(&s, "/ui/domains").await, &["/ui/domains/shipping"]);

    let events = html(&s, "/ui/events?owner=payments").await;
    assert_has(
        &events,
        &[
            "payments.refund.issued",
            "Showing events with owner payments",
        ],
    );
    assert!(!events.contains("orders.order.placed"));
    assert_has(
        &html(&s, "/ui/services").await,
        &["/ui/services/shipping-service"],
    );
}

#[tokio::test]
async fn schema_version_page_has_fields_schema_and_a_payload_check() {
    let s = demo().await;
    let body = html(&s, "/ui/subjects/orders.order.placed-value/versions/3").await;
    let fields = section(&body, "fields-h");
    assert_has(
        fields,
        &[
            "<code>eventId</code>",
            "<code>string (uuid)</code>",
            "Unique id; consumers de-duplicate on it.",
            "<code>lines[].sku</code>",
            "<code>array&#60;OrderLine&#62;</code>",
            "<code>&#34;EUR&#34;</code>",
            "ISO 4217 code.",
            "<code>null | string</code>",
            "<code>enum SalesChannel {WEB, APP, STORE}</code>",
        ],
    );
    // Nested rows are indented under their parent.
    assert_has(fields, &["class=\"depth-1\""]);
    assert_has(
        &body,
        &[
            "<dt>Semver</dt><dd>1.2.0</dd>",
            r#"<a href="/ui/events/orders.order.placed">"#,
            "<label for=\"sample\">",
            "&#34;namespace&#34;: &#34;shop.orders&#34;",
            "/ui/subjects/orders.order.placed-value/diff?from=2&amp;to=3",
        ],
    );
    let example: Value = serde_json::from_str(
        &std::fs::read_to_string(
            demo_dir().join("events/orders.order.placed/examples/typical.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let query = |sample: &str| {
        format!(
            "/ui/subjects/orders.order.placed-value/versions/3?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("sample", sample)
                .finish()
        )
    };
    let valid = html(&s, &query(&example.to_string())).await;
    assert_has(
        section(&valid, "verdict"),
        &["The payload is valid for v3."],
    );
    let mut broken = example.clone();
    broken["amount"] = json!("lots");
    let invalid = html(&s, &query(&broken.to_string())).await;
    assert_has(section(&invalid, "verdict"), &["is not valid for v3"]);
    let not_json = html(&s, &query("{nope")).await;
    assert_has(section(&not_json, "verdict"), &["not JSON"]);

    let (status, _, _) = page(&s, "/ui/subjects/orders.order.placed-value/versions/9").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn diff_shows_verdicts_per_level_field_changes_and_both_texts() {
    let s = demo().await;
    let body = html(
        &s,
        "/ui/subjects/orders.order.placed-value/diff?from=1&to=3",
    )
    .await;
    let verdicts = section(&body, "verdict-h");
    assert_eq!(
        verdicts.matches(">compatible</td>").count(),
        4,
        "{verdicts}"
    );
    assert_has(
        verdicts,
        &["BACKWARD <span class=\"badge active\">subject's level</span>"],
    );
    let fields = section(&body, "fields-h");
    assert_has(
        fields,
        &[
            "<tr class=\"added depth-0\">\n        <th scope=\"row\" class=\"field\"><code>coupon</code>",
        ],
    );
    assert_has(
        section(&body, "text-h"),
        &["<td class=\"ins\"><code>      &#34;name&#34;: &#34;coupon&#34;,</code>"],
    );

    // An incompatible change, allowed in by NONE, shows each level's reasons.
    s.put(
        "/config/shop.basket-value",
        json!({"compatibility": "NONE"}),
    )
    .await;
    s.register_ok(
        "shop.basket-value",
        &record(
            "Basket",
            json!([{"name": "count", "type": "int"}, {"name": "gone", "type": "string"}]),
        ),
    )
    .await;
    s.register_ok(
        "shop.basket-value",
        &record(
            "Basket",
            json!([{"name": "count", "type": "string"}, {"name": "owner", "type": "string"}]),
        ),
    )
    .await;
    let body = html(&s, "/ui/subjects/shop.basket-value/diff").await;
    assert_has(&body, &["<h1>shop.basket-value: v1 → v2</h1>"]);
    let verdicts = section(&body, "verdict-h");
    assert_eq!(
        verdicts.matches(">incompatible</td>").count(),
        3,
        "{verdicts}"
    );
    assert_has(
        verdicts,
        &[
            "NONE <span class=\"badge active\">subject's level</span>",
            "READER_FIELD_MISSING_DEFAULT_VALUE",
            "TYPE_MISMATCH",
        ],
    );
    // FULL lists each difference once, marked with the directions it breaks.
    let full = verdicts
        .split("<tr ")
        .find(|row| row.contains(">FULL"))
        .expect("a FULL row");
    let count_changed = "field `count` changed type from int to string: consumers on v2 cannot read messages written with v1, nor consumers on v1 those written with v2";
    assert_eq!(full.matches(count_changed).count(), 1, "{full}");
    assert_has(
        full,
        &[
            "<span class=\"badge backward\">backward</span> <span class=\"badge forward\">forward</span> <code class=\"kind\">TYPE_MISMATCH</code> field `count`",
            "<span class=\"badge backward\">backward</span> <code class=\"kind\">READER_FIELD_MISSING_DEFAULT_VALUE</code> field `owner` was added as string without a default",
            "<span class=\"badge forward\">forward</span> <code class=\"kind\">READER_FIELD_MISSING_DEFAULT_VALUE</code> field `gone` was removed (it was string without a default)",
        ],
    );
    let fields = section(&body, "fields-h");
    for (status, field) in [
        ("changed", "count"),
        ("removed", "gone"),
        ("added", "owner"),
    ] {
        assert!(
            fields.contains(&format!(
                "<tr class=\"{status} depth-0\">\n        <th scope=\"row\" class=\"field\"><code>{field}</code>"
            )),
            "{field} {status}: {fields}"
        );
    }
    let (status, _, _) = page(&s, "/ui/subjects/shop.basket-value/diff?from=1&to=7").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn what_people_write_is_escaped() {
    let s = demo().await;
    let (status, body) = s
        .put(
            "/herald/v1/events/orders.order.placed",
            {
                let (_, mut e) = s.get("/herald/v1/events/orders.order.placed").await;
                e["description"] = json!(
                    "Danger <script>alert('description')</script> and [a link](javascript:alert(1)) **bold**"
                );
                e
            },
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let event = html(&s, "/ui/events/orders.order.placed").await;
    assert!(!event.contains("<script"), "{event}");
    assert!(!event.contains("javascript:"), "{event}");
    assert_has(
        &event,
        &[
            "&lt;script&gt;alert('description')&lt;/script&gt;",
            "<strong>bold</strong>",
        ],
    );

    s.register_ok(
        "escape-value",
        &record(
            "Escape",
            json!([{"name": "x", "type": "string", "doc": "<script>alert('doc')</script>"}]),
        ),
    )
    .await;
    for path in [
        "/ui/subjects/escape-value/versions/1",
        "/ui/search?q=%3Cscript%3E",
        "/ui/subjects/escape-value/diff?from=1&to=1",
    ] {
        let body = html(&s, path).await;
        assert!(!body.contains("<script"), "{path}: {body}");
    }
    let version = html(&s, "/ui/subjects/escape-value/versions/1").await;
    assert_has(
        &version,
        &["&#60;script&#62;alert(&#39;doc&#39;)&#60;/script&#62;"],
    );
}

#[tokio::test]
async fn raw_subject_views_list_what_no_event_claims_and_paginate() {
    let s = demo().await;
    for i in 0..55 {
        s.register_ok(
            &format!("raw.thing{i:02}-value"),
            &record("Thing", json!([{"name": "id", "type": "string"}])),
        )
        .await;
    }
    let unclaimed = html(&s, "/ui/subjects?unclaimed=true").await;
    assert_has(
        &unclaimed,
        &[
            "Subjects no event claims",
            "raw.thing00-value",
            "Page 1 of 2 (55 in all)",
        ],
    );
    assert!(!unclaimed.contains("orders.order.placed-value"));
    let second = html(&s, "/ui/subjects?unclaimed=true&page=2").await;
    assert_has(
        &second,
        &["raw.thing54-value", "Page 2 of 2", "rel=\"prev\""],
    );
    assert!(!second.contains("raw.thing00-value"));
    let all = html(&s, "/ui/subjects?q=orders.order").await;
    assert_has(
        &all,
        &[
            "orders.order.placed-value</a>",
            r#"<a href="/ui/events/orders.order.cancelled">"#,
        ],
    );
    let subject = html(&s, "/ui/subjects/raw.thing07-value").await;
    assert_has(
        &subject,
        &[
            "No catalog event claims this subject yet.",
            "BACKWARD",
            "/ui/subjects/raw.thing07-value/versions/1",
        ],
    );
    let (status, _, body) = page(&s, "/ui/subjects/no-such-subject").await;
    assert_eq!(status, 404);
    assert_has(&body, &["Subject &#39;no-such-subject&#39; not found."]);
}

fn avro_message(id: i64, schema: &Value, value: apache_avro::types::Value) -> Vec<u8> {
    let schema = apache_avro::Schema::parse(schema).unwrap();
    let mut out = vec![0u8];
    out.extend_from_slice(&(id as u32).to_be_bytes());
    out.extend(apache_avro::to_avro_datum(&schema, value).unwrap());
    out
}

#[tokio::test]
async fn decoder_names_the_writer_and_shows_the_payload() {
    use apache_avro::types::Value as Avro;
    use base64::Engine;
    let s = demo().await;
    let schema = record(
        "Ping",
        json!([{"name": "customerId", "type": "string"}, {"name": "count", "type": "int"}]),
    );
    let id = s.register_ok("pings-value", &schema).await;
    s.register_ok("pings-copy-value", &schema).await;
    let message = avro_message(
        id,
        &schema,
        Avro::Record(vec![
            ("customerId".into(), Avro::String("c-42".into())),
            ("count".into(), Avro::Int(7)),
        ]),
    );
    let decode = |text: String| {
        format!(
            "/ui/decode?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("message", &text)
                .finish()
        )
    };
    let hex_text = message
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    for text in [
        hex_text,
        base64::engine::general_purpose::STANDARD.encode(&message),
    ] {
        let body = html(&s, &decode(text)).await;
        let decoded = section(&body, "decoded");
        assert_has(
            decoded,
            &[
                &format!("Written with schema {id} (AVRO)"),
                "pings-value v1</a>",
                "pings-copy-value v1</a>",
                "&#34;customerId&#34;: &#34;c-42&#34;",
                "&#34;count&#34;: 7",
            ],
        );
    }
    let mut wrong_magic = message.clone();
    wrong_magic[0] = 1;
    let body = html(&s, &decode(hex::encode(&wrong_magic))).await;
    assert_has(&body, &["not the magic byte 0x00"]);
    let mut unknown = message.clone();
    unknown[1..5].copy_from_slice(&9999u32.to_be_bytes());
    let body = html(&s, &decode(hex::encode(&unknown))).await;
    assert_has(&body, &["Schema 9999 not found"]);
    let truncated = &message[..message.len() - 1];
    let body = html(&s, &decode(hex::encode(truncated))).await;
    assert_has(section(&body, "decoded"), &["id=\"decode-problem\""]);
    let empty = html(&s, "/ui/decode").await;
    assert_has(&empty, &["<label for=\"message\">"]);
    assert!(!empty.contains("id=\"decoded\""));
}

#[tokio::test]
async fn audit_page_filters_and_paginates() {
    let s = demo().await;
    for i in 0..3 {
        s.put(
            "/herald/v1/teams/checkout",
            json!({"description": format!("Edit {i}"), "contact": {"email": "checkout@shop.example"}}),
        )
        .await;
    }
    let body = html(&s, "/ui/audit?target=team/checkout&action=catalog.update").await;
    let table = section(&body, "audit");
    assert_eq!(
        table.matches("<td>catalog.update</td>").count(),
        3,
        "{table}"
    );
    assert_has(
        table,
        &[
            r#"<a href="/ui/teams/checkout">team/checkout</a>"#,
            "Edit 2",
            "before / after",
        ],
    );
    assert_has(&body, &["value=\"team/checkout\"", "<label for=\"actor\">"]);
    let all = html(&s, "/ui/audit").await;
    assert_has(&all, &["Page 1 of 2", "rel=\"next\""]);
    let second = html(&s, "/ui/audit?page=2").await;
    assert_has(&second, &["Page 2 of", "rel=\"prev\""]);
    let none = html(&s, "/ui/audit?actor=nobody").await;
    assert_has(&none, &["No audit line matches."]);
    let future = html(&s, "/ui/audit?since=2999-01-01").await;
    assert_has(&future, &["No audit line matches.", "value=\"2999-01-01\""]);
    let past = html(&s, "/ui/audit?since=2000-01-01&target=team/checkout").await;
    assert_has(&past, &["Edit 2"]);
}

#[tokio::test]
async fn stylesheet_and_unknown_pages() {
    let s = demo().await;
    let (status, ct, css) = page(&s, "/ui/static/herald.css").await;
    assert_eq!((status, ct.as_str()), (200, "text/css; charset=utf-8"));
    assert!(css.contains("@media"));
    let (status, ct, body) = page(&s, "/ui/nothing/here").await;
    assert_eq!((status, ct.as_str()), (404, "text/html; charset=utf-8"));
    assert_has(&body, &["<h1>404 Not Found</h1>"]);
    // Outside /ui the registry's JSON 404 stays.
    assert_eq!(s.get("/nothing").await.0, 404);
    assert_eq!(s.get("/nothing").await.1["error_code"], 404);
}

#[tokio::test]
async fn pages_are_reads_under_authentication() {
    let closed = TestServer::start_with(|c| {
        c.catalog_dir = Some(demo_dir());
        c.auth = true;
    })
    .await;
    let (status, _, _) = page(&closed, "/ui/events/orders.order.placed").await;
    assert_eq!(status, 401);
    let open = TestServer::start_with(|c| {
        c.catalog_dir = Some(demo_dir());
        c.auth = true;
        c.anonymous_read = true;
    })
    .await;
    html(&open, "/ui/events/orders.order.placed").await;
    html(&open, "/ui/decode").await;
}

#[tokio::test]
async fn browsers_at_the_root_are_sent_to_the_catalog_and_clients_get_an_empty_object() {
    let s = demo().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let browser = client
        .get(s.url("/"))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status().as_u16(), 303);
    assert_eq!(browser.headers()["location"], "/ui");
    let (status, body) = s.get("/").await;
    assert_eq!((status, body), (200, json!({})));
}

#[tokio::test]
async fn static_assets_are_cached_pages_compressed_and_described() {
    let s = demo().await;
    let home = html(&s, "/ui").await;
    assert_has(
        &home,
        &[
            r#"<meta name="description" content="Event catalog in the Herald event catalog"#,
            r#"<link rel="icon" href="/ui/static/favicon.svg" type="image/svg+xml">"#,
        ],
    );
    let css_href = home
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(
        css_href.starts_with("/ui/static/herald.css?v="),
        "{css_href}"
    );
    for path in [css_href.as_str(), "/favicon.ico", "/ui/static/favicon.svg"] {
        let resp = s.client.get(s.url(path)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let cache = resp.headers()["cache-control"].to_str().unwrap();
        assert!(cache.starts_with("public, max-age="), "{path}: {cache}");
    }
    let event = html(&s, "/ui/events/orders.order.placed").await;
    assert_has(
        &event,
        &[
            r#"<meta name="description" content="orders.order.placed: A customer placed an order at checkout."#,
        ],
    );
    let gzipped = s
        .client
        .get(s.url("/ui/audit"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let bytes = gzipped.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0x1f, 0x8b]), "a gzip stream");
    let plain = s.client.get(s.url("/ui/audit")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn an_empty_registry_says_how_to_load_a_catalog() {
    let s = TestServer::start().await;
    let body = html(&s, "/ui").await;
    assert_has(
        section(&body, "empty"),
        &[
            "The catalog is empty",
            "herald serve --catalog PATH",
            "herald catalog apply PATH",
        ],
    );
    assert!(!html(&demo().await, "/ui").await.contains("id=\"empty\""));
}

#[tokio::test]
async fn the_event_page_shows_fields_examples_and_warnings() {
    let s = demo().await;
    let body = html(&s, "/ui/events/orders.order.placed").await;
    let fields = section(&body, "fields-h");
    assert_has(
        fields,
        &[
            "Fields of <a href=\"/ui/subjects/orders.order.placed-value/versions/3\">v3</a> (1.2.0)",
            "<ul class=\"field-tree\">",
            r#"<li id="field-coupon">"#,
            "<code>coupon</code>",
        ],
    );
    let examples = section(&body, "examples-h");
    assert_has(
        examples,
        &[
            "typical <span class=\"muted\">for 1.2.0</span>",
            "<span class=\"badge active verdict\">valid</span>",
            r#"<form class="validate" action="/ui/subjects/orders.order.placed-value/versions/3""#,
        ],
    );
    // The payload form starts from the example.
    let form = &examples[examples.find("<textarea").unwrap()..];
    assert!(form.contains("&#34;orderId&#34;"), "{form}");
    let warnings = section(&body, "warnings-h");
    assert_has(
        warnings,
        &["<li class=\"warning pinned\">inventory-service pins 1.0.0 but order-service writes 1.2.0"],
    );

    // A deprecated event still consumed: a banner with the consumers, the sunset and the way out.
    let body = html(&s, "/ui/events/payments.payment.processed").await;
    let banner = section(&body, "deprecated");
    assert_has(
        banner,
        &[
            "is deprecated and still consumed",
            "<strong>2027-03-31</strong>",
            "href=\"/ui/events/payments.payment.processed.v2\"",
            "href=\"/ui/services/shipping-service\"",
        ],
    );

    // A consumer on an older major, a version nobody declared, and an example gone bad.
    let (_, mut inventory) = s.get("/herald/v1/services/inventory-service").await;
    inventory["consumes"][0]["version"] = json!("^0.9");
    let (status, out) = s
        .put("/herald/v1/services/inventory-service", inventory)
        .await;
    assert_eq!(status, 200, "{out}");
    let body = html(&s, "/ui/events/orders.order.placed").await;
    let warnings = section(&body, "warnings-h");
    assert_has(
        warnings,
        &["<li class=\"warning undeclared\">inventory-service (consumer) declares version ^0.9, which the catalog does not have"],
    );
}

#[tokio::test]
async fn the_diff_puts_changes_first_with_bump_reasons_and_broken_consumers() {
    let s = demo().await;
    let body = html(
        &s,
        "/ui/subjects/orders.order.placed-value/diff?from=1&to=3",
    )
    .await;
    let changes = body.find("id=\"changes-h\"").unwrap();
    assert!(changes < body.find("id=\"verdict-h\"").unwrap());
    assert_has(
        section(&body, "changes-h"),
        &[
            "a <strong>minor</strong> version bump",
            "The catalog declares v1 as 1.0.0 and v3 as 1.2.0",
            "<p class=\"ok\" id=\"broken\">None",
        ],
    );
    // Changes only by default; everything on request.
    let fields = section(&body, "fields-h");
    assert!(!fields.contains("<code>orderId</code>"), "{fields}");
    assert_has(
        fields,
        &["<code>coupon</code>", "&amp;all=true\">Show everything"],
    );
    let all = html(
        &s,
        "/ui/subjects/orders.order.placed-value/diff?from=1&to=3&all=true",
    )
    .await;
    assert!(section(&all, "fields-h").contains("<code>orderId</code>"));

    // A breaking version: the consumers it breaks, and why in plain words.
    let (_, latest) = s
        .get("/subjects/orders.order.placed-value/versions/latest/schema")
        .await;
    let mut schema = latest.clone();
    schema["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "salesRegion", "type": "string"}));
    // Consumers on older versions cannot read records without the order id.
    schema["fields"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["name"] != "orderId");
    let (status, out) = s
        .put(
            "/config/orders.order.placed-value",
            json!({"compatibility": "NONE"}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    s.register_ok("orders.order.placed-value", &schema).await;
    let body = html(&s, "/ui/subjects/orders.order.placed-value/diff").await;
    let changes = section(&body, "changes-h");
    assert_has(
        changes,
        &[
            "2 field changes: a <strong>major</strong> version bump",
            "v4 as undeclared",
            "<span class=\"badge backward\">backward</span> <code class=\"kind\">READER_FIELD_MISSING_DEFAULT_VALUE</code> field `salesRegion` was added as string without a default: consumers on v4 cannot read messages written with v3",
            "field `orderId` was removed (it was string without a default): consumers on v3 cannot read messages written with v4",
            "<ul id=\"broken\" class=\"bad\">",
            "href=\"/ui/services/payment-service\"",
        ],
    );
    // A consumer pinned to an older version is told why in the same words, naming its version.
    assert_has(
        section(&body, "changes-h"),
        &["field `orderId` was removed (it was string without a default): consumers on 1.0.0 cannot read messages written with v4"],
    );
}

#[tokio::test]
async fn a_service_exports_its_events_as_asyncapi() {
    let s = demo().await;
    let resp = s
        .client
        .get(s.url("/herald/v1/services/inventory-service/asyncapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let doc: Value = resp.json().await.unwrap();
    assert_eq!(doc["asyncapi"], "3.0.0");
    assert_eq!(doc["info"]["title"], "inventory-service");
    let send = &doc["operations"]["send.inventory.stock.reserved"];
    assert_eq!(send["action"], "send");
    let receive = &doc["operations"]["receive.orders.order.placed"];
    assert_eq!(receive["action"], "receive");
    let channel = receive["channel"]["$ref"].as_str().unwrap();
    assert_eq!(channel, "#/channels/orders.order.placed");
    // The version the service declared it reads (1.0.0: no coupon yet), in its own format.
    let placed = &doc["channels"]["orders.order.placed"]["messages"]["orders.order.placed"];
    assert_eq!(placed["x-herald-version"], "1.0.0");
    assert_eq!(
        placed["payload"]["schemaFormat"],
        "application/vnd.apache.avro;version=1.9.0"
    );
    assert_eq!(placed["payload"]["schema"]["type"], "record");
    assert!(!placed["payload"]["schema"].to_string().contains("coupon"));
    let reserved =
        &doc["channels"]["inventory.stock.reserved"]["messages"]["inventory.stock.reserved"];
    assert_eq!(
        reserved["payload"]["schemaFormat"],
        "application/vnd.google.protobuf;version=3"
    );
    assert!(reserved["payload"]["schema"]
        .as_str()
        .unwrap()
        .contains("message StockReserved"));

    let (status, ct, yaml) = page(&s, "/herald/v1/services/inventory-service/asyncapi.yaml").await;
    assert_eq!((status, ct.as_str()), (200, "application/yaml"));
    assert!(yaml.starts_with("asyncapi: 3.0.0\n"), "{yaml}");
    let (status, body) = s.get("/herald/v1/services/nobody/asyncapi.json").await;
    assert_eq!((status, body["error_code"].as_i64()), (404, Some(40490)));
}

#[tokio::test]
async fn the_version_page_form_starts_from_the_catalog_example() {
    let s = demo().await;
    let body = html(&s, "/ui/subjects/orders.order.placed-value/versions/3").await;
    let form = section(&body, "validate-h");
    let textarea = &form[form.find("<textarea").unwrap()..];
    assert!(textarea.contains("&#34;orderId&#34;"), "{form}");
    assert!(
        !body.contains("id=\"verdict\""),
        "no verdict before a payload is sent"
    );
    // v1 (1.0.0) has no example: the form starts empty.
    let body = html(&s, "/ui/subjects/orders.order.placed-value/versions/1").await;
    assert!(section(&body, "validate-h").contains("rows=\"8\"></textarea>"));
}

#[tokio::test]
async fn audit_pages_go_back_in_time_page_by_page() {
    let s = TestServer::start().await;
    for i in 0..60 {
        s.register_ok(
            &format!("s-{i:02}"),
            &record(&format!("S{i}"), json!([{"name": "x", "type": "int"}])),
        )
        .await;
    }
    let first = html(&s, "/ui/audit").await;
    let second = html(&s, "/ui/audit?page=2").await;
    let (first, second) = (section(&first, "audit"), section(&second, "audit"));
    // Newest first: the first page ends at the 50th newest line, the second goes on from it.
    assert_has(first, &["subject/s-59", "subject/s-10"]);
    assert!(!first.contains("subject/s-09"), "{first}");
    assert_has(second, &["subject/s-09", "subject/s-00"]);
    assert!(!second.contains("subject/s-10"), "{second}");
    assert!(!html(&s, "/ui/audit?page=2").await.contains("rel=\"next\""));
}

#[tokio::test]
async fn field_search_pages_list_hits_by_subject_then_field() {
    let s = TestServer::start().await;
    for i in 0..30 {
        let fields = json!([
            {"name": "tierA", "type": "string"},
            {"name": "other", "type": "int"},
            {"name": "tierB", "type": "string"},
        ]);
        s.register_ok(&format!("t-{i:02}"), &record(&format!("T{i}"), fields))
            .await;
    }
    // 60 hits: t-00 tierA, t-00 tierB, t-01 tierA, ...; the second page starts at t-25.
    let preview = html(&s, "/ui/search?q=tier").await;
    assert_has(&preview, &["Schema fields <span class=\"muted\">(60)"]);
    let second = html(&s, "/ui/search?q=tier&kind=fields&page=2").await;
    let hits = section(&second, "group-fields");
    let at = |subject: &str, field: &str| {
        hits.find(&format!(
            "/ui/subjects/{subject}/versions/1#field-{field}\""
        ))
        .unwrap_or_else(|| panic!("{subject} {field} on the second page: {hits}"))
    };
    assert!(at("t-25", "tierA") < at("t-25", "tierB"));
    assert!(at("t-25", "tierB") < at("t-26", "tierA"));
    assert!(at("t-28", "tierB") < at("t-29", "tierB"));
    assert!(!hits.contains("/ui/subjects/t-24/"), "{hits}");
    assert!(!hits.contains("field-other"), "{hits}");
    // A page past the end shows the last one.
    let past = html(&s, "/ui/search?q=tier&kind=fields&page=9").await;
    assert_has(
        section(&past, "group-fields"),
        &["/ui/subjects/t-29/versions/1#field-tierB"],
    );
}
