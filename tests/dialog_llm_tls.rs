//! The LLM client over https against a real TLS server on 127.0.0.1 started by each test,
//! with a certificate from a private CA made here (rcgen). The client must stream through
//! TLS when `[llm] ca_file` names that CA, refuse the server without it, and give up on a
//! server that never finishes the handshake within the timeout.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use avatarcast::dialog::config::{DialogConfig, LlmConfig};
use avatarcast::dialog::llm::{ChatMessage, LlmClient, LlmError};
use avatarcast::dialog::{DialogEngine, DialogEvent, KnowledgeBase, Retriever};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA (its PEM written to `ca_file`) and a server configuration whose certificate it
/// signed for 127.0.0.1 and localhost.
struct Pki {
    _dir: tempfile::TempDir,
    ca_file: PathBuf,
    server: Arc<rustls::ServerConfig>,
}

fn pki() -> Pki {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "avatarcast test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA certificate");

    let leaf_key = rcgen::KeyPair::generate().expect("server key");
    let leaf_params = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("server params");
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca)
        .expect("server certificate");

    let dir = tempfile::tempdir().expect("temp dir");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).expect("write CA file");

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), CertificateDer::from(ca.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .expect("server config");
    Pki {
        _dir: dir,
        ca_file,
        server: Arc::new(server),
    }
}

/// Serves one TLS connection: reads the request, answers with an SSE stream of `deltas`,
/// and returns the request head. A failed handshake (client refused the certificate)
/// returns the error text instead.
fn serve_once(
    server: Arc<rustls::ServerConfig>,
    deltas: &'static [&'static str],
) -> (String, JoinHandle<Result<String, String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("https://{}/v1", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(Duration::from_secs(5)))
            .map_err(|e| e.to_string())?;
        let conn = rustls::ServerConnection::new(server).map_err(|e| e.to_string())?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let head = read_request(&mut tls).map_err(|e| e.to_string())?;
        let mut out = String::from(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        );
        for content in deltas {
            let json = serde_json::json!({"choices": [{"delta": {"content": content}}]});
            let event = format!("data: {json}\n\n");
            out.push_str(&format!("{:x}\r\n{event}\r\n", event.len()));
        }
        let done = "data: [DONE]\n\n";
        out.push_str(&format!("{:x}\r\n{done}\r\n0\r\n\r\n", done.len()));
        tls.write_all(out.as_bytes()).map_err(|e| e.to_string())?;
        tls.conn.send_close_notify();
        tls.flush().map_err(|e| e.to_string())?;
        Ok(head)
    });
    (url, handle)
}

fn read_request(stream: &mut impl Read) -> std::io::Result<String> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(head)
}

fn llm_config(url: &str, ca_file: Option<&Path>, timeout: f64) -> LlmConfig {
    LlmConfig {
        base_url: url.to_string(),
        model: "test-model".into(),
        api_key_env: None,
        timeout,
        ca_file: ca_file.map(Path::to_path_buf),
    }
}

fn question() -> Vec<ChatMessage> {
    vec![ChatMessage {
        role: "user",
        content: "What are your opening hours?".into(),
    }]
}

#[test]
fn streams_over_https_when_ca_file_trusts_the_server() {
    let pki = pki();
    let (url, server) = serve_once(
        pki.server.clone(),
        &["[smile] We open at nine.", " See you soon!"],
    );
    let config = DialogConfig {
        llm: Some(llm_config(&url, Some(&pki.ca_file), 3.0)),
        ..DialogConfig::default()
    };
    let kb = Arc::new(KnowledgeBase::default_kb().expect("default KB"));
    let engine = DialogEngine::new(Retriever::lexical(kb), &config);
    let mut session = engine.new_session("tls1");
    let texts: Vec<String> = engine
        .respond(&mut session, "What are your opening hours?")
        .filter_map(|e| match e {
            DialogEvent::Sentence { text, .. } => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["We open at nine.", "See you soon!"]);
    let head = server
        .join()
        .expect("server thread")
        .expect("TLS exchange succeeded");
    assert!(
        head.starts_with("POST /v1/chat/completions HTTP/1.1"),
        "{head}"
    );
}

#[test]
fn an_untrusted_server_certificate_is_refused() {
    let pki = pki();
    let (url, server) = serve_once(pki.server.clone(), &["Never delivered."]);
    // The system roots plus another CA: neither signed the server's certificate. (Naming a
    // CA file also keeps the test independent of whether the machine has a CA store.)
    let other = self::pki();
    let client = LlmClient::new(llm_config(&url, Some(&other.ca_file), 3.0));
    let mut got = String::new();
    let err = client
        .stream(&question(), |d| got.push_str(d))
        .expect_err("an unknown CA must be refused");
    assert!(got.is_empty());
    let shown = err.to_string();
    assert!(
        matches!(err, LlmError::Tls { .. }) && shown.contains("ca_file"),
        "{shown}"
    );
    let server_side = server.join().expect("server thread");
    assert!(server_side.is_err(), "server completed: {server_side:?}");
}

#[test]
fn a_server_that_stalls_in_the_handshake_times_out() {
    let pki = pki();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("https://{}/v1", listener.local_addr().expect("addr"));
    // Accepts TCP, then never answers the ClientHello.
    let silent = std::thread::spawn(move || {
        let held: Option<TcpStream> = listener.accept().ok().map(|(s, _)| s);
        std::thread::sleep(Duration::from_millis(2500));
        drop(held);
    });
    let client = LlmClient::new(llm_config(&url, Some(&pki.ca_file), 0.4));
    let start = Instant::now();
    let err = client
        .stream(&question(), |_| {})
        .expect_err("a silent server must time out");
    let took = start.elapsed();
    assert!(matches!(err, LlmError::Timeout { .. }), "{err}");
    assert!(
        took < Duration::from_millis(2000),
        "gave up after {took:?}, expected about the 0.4 s timeout"
    );
    silent.join().expect("silent server");
}

#[test]
fn a_missing_ca_file_is_reported_with_its_path() {
    let client = LlmClient::new(llm_config(
        "https://127.0.0.1:9/v1",
        Some(Path::new("/nonexistent/llm-ca.pem")),
        1.0,
    ));
    let err = client
        .stream(&question(), |_| {})
        .expect_err("no TLS without the CA file");
    let shown = err.to_string();
    assert!(
        matches!(err, LlmError::TlsSetup { .. }) && shown.contains("/nonexistent/llm-ca.pem"),
        "{shown}"
    );
}
