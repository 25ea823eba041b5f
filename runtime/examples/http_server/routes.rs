//! The HTTP application itself, as a plain hyper service with no runtime in it (so the Tokio twin
//! in `benches/examples/hyper_tokio.rs` serves the very same code):
//!
//! - `GET /` → `Hello, World!` as text,
//! - `GET /json` → `{"message":"Hello, World!"}`,
//! - `POST /echo` → the request body back (up to [`MAX_ECHO`] bytes, else `413`),
//! - anything else → `404` (or `405` for a known path with the wrong method).

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};

/// The largest body `POST /echo` returns.
pub const MAX_ECHO: usize = 1 << 20;

/// The response body type of every route.
pub type ResponseBody = Full<Bytes>;

/// Routes one request (see the module docs).
pub async fn handle(request: Request<Incoming>) -> Result<Response<ResponseBody>, Infallible> {
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => text(StatusCode::OK, "Hello, World!"),
        (&Method::GET, "/json") => json(&serde_json::json!({ "message": "Hello, World!" })),
        (&Method::POST, "/echo") => echo(request.into_body()).await,
        (_, "/" | "/json" | "/echo") => text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
        _ => text(StatusCode::NOT_FOUND, "not found"),
    };
    Ok(response)
}

async fn echo(body: Incoming) -> Response<ResponseBody> {
    match Limited::new(body, MAX_ECHO).collect().await {
        Ok(collected) => {
            let mut response = Response::new(Full::new(collected.to_bytes()));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            response
        }
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            text(StatusCode::PAYLOAD_TOO_LARGE, "body too large")
        }
        Err(err) => text(StatusCode::BAD_REQUEST, &format!("bad body: {err}")),
    }
}

fn text(status: StatusCode, body: &str) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::from(format!("{body}\n"))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn json(value: &serde_json::Value) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
