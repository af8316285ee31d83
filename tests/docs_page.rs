//! `GET /docs` on the flagship server: the Swagger UI page from the CDN
//! (pinned, with integrity), from vendored files, or off; and under a
//! prefix. scripts/docs-page.sh renders the page in headless Chromium.

use axum::Router;
use payments_app::{ApiKey, PaymentsApi};
use payments_server::runtime::docs::{Docs, SWAGGER_UI_VERSION};
use payments_server::{router, serve, ListenerConfig, ServerConfig};
use reqwest::StatusCode;
use serde_json::Value;

async fn start(docs: Docs, prefix: Option<&str>) -> String {
    let config = ServerConfig {
        docs,
        ..ServerConfig::default()
    };
    let mut app = router(PaymentsApi::new([ApiKey::from("docs-key")]), config);
    if let Some(prefix) = prefix {
        app = Router::new().nest(prefix, app);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(
        listener,
        app,
        ListenerConfig::default(),
        std::future::pending(),
    ));
    format!("http://{address}{}", prefix.unwrap_or(""))
}

async fn get(url: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn the_page_loads_a_pinned_swagger_ui_from_the_cdn_by_default() {
    let base = start(ServerConfig::default().docs, None).await;
    let (status, headers, page) = get(&format!("{base}/docs")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(
        page.contains("<title>Payments API reference</title>"),
        "{page}"
    );
    let cdn = format!("https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}/");
    for file in [
        "swagger-ui-bundle.js\" integrity=\"sha384-",
        "swagger-ui.css\" integrity=\"sha384-",
    ] {
        assert!(page.contains(&format!("{cdn}{file}")), "{file} in {page}");
    }
    // Relative, so the page works under any prefix; no inline script.
    assert!(page.contains("<script src=\"docs/swagger-initializer.js\"></script>"));
    assert!(!page.contains("<script>"));
    let (status, headers, script) = get(&format!("{base}/docs/swagger-initializer.js")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert!(script.contains("url: \"openapi.json\""), "{script}");
    // The CDN copy is not served from here.
    let (status, _, _) = get(&format!("{base}/docs/swagger-ui-bundle.js")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn vendored_files_are_served_by_the_server() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(
        directory.path().join("swagger-ui-bundle.js"),
        "var SwaggerUIBundle;",
    )
    .unwrap();
    std::fs::write(directory.path().join("swagger-ui.css"), "body {}").unwrap();
    let base = start(Docs::vendored(directory.path()).unwrap(), None).await;
    let (_, _, page) = get(&format!("{base}/docs")).await;
    assert!(
        page.contains("<script src=\"docs/swagger-ui-bundle.js\"></script>"),
        "{page}"
    );
    assert!(
        page.contains("<link rel=\"stylesheet\" href=\"docs/swagger-ui.css\">"),
        "{page}"
    );
    assert!(!page.contains("cdn.jsdelivr.net"));
    let (status, headers, body) = get(&format!("{base}/docs/swagger-ui-bundle.js")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(headers["cache-control"], "public, max-age=86400");
    assert_eq!(body, "var SwaggerUIBundle;");
    let (status, headers, body) = get(&format!("{base}/docs/swagger-ui.css")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "body {}"));
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    // Nothing else under /docs, and no way out of it.
    for path in ["/docs/index.html", "/docs/..%2FCargo.toml", "/docs/a/b"] {
        let (status, headers, body) = get(&format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let envelope: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(envelope["error"]["code"], "NOT_FOUND");
        assert_eq!(
            envelope["meta"]["request_id"],
            headers["x-request-id"].to_str().unwrap()
        );
    }
    // A directory without the files is refused when the server starts.
    let empty = tempfile::tempdir().unwrap();
    assert!(Docs::vendored(empty.path()).is_err());
}

#[tokio::test]
async fn the_page_can_be_turned_off() {
    let base = start(Docs::Off, None).await;
    for path in ["/docs", "/docs/swagger-initializer.js"] {
        let (status, _, body) = get(&format!("{base}{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body.contains("NOT_FOUND"));
    }
}

#[tokio::test]
async fn under_a_prefix_the_page_and_its_document_are_found() {
    let base = start(Docs::Cdn, Some("/api")).await;
    let (status, _, page) = get(&format!("{base}/docs")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("docs/swagger-initializer.js"));
    // What the page's relative URLs resolve to from `/api/docs`.
    for path in ["/docs/swagger-initializer.js", "/openapi.json"] {
        assert_eq!(
            get(&format!("{base}{path}")).await.0,
            StatusCode::OK,
            "{path}"
        );
    }
}
