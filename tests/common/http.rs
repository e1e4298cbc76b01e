//! The server side of plain HTTP/1.1 for the tests' stand-in servers (an
//! LLM, a TTS service) on 127.0.0.1: read one request, write chunks.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A stand-in server on 127.0.0.1 that answers a script of connections.
pub struct ScriptedServer {
    /// `http://127.0.0.1:PORT/v1`, the base URL OpenAI-style clients take.
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
    handle: JoinHandle<()>,
}

impl ScriptedServer {
    /// Waits for the script to finish; the requests it was sent, in order.
    pub fn requests(self) -> Vec<String> {
        self.handle.join().expect("server thread");
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// Serves one connection per item of `script`, answering it with `respond`,
/// then stops; it stops accepting after 20 s regardless. Each answer runs on
/// its own thread, so a stalling answer does not hold up the next
/// connection. A client that gave up makes writes fail; that is the point of
/// some tests, so `respond`'s errors are ignored.
pub fn serve_script<B: Send + 'static>(
    respond: fn(TcpStream, B) -> std::io::Result<()>,
    script: Vec<B>,
) -> ScriptedServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}/v1", listener.local_addr().expect("addr"));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let recorded = requests.clone();
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut answers = Vec::new();
        for behaviour in script {
            let stream = loop {
                match listener.accept() {
                    Ok((s, _)) => break s,
                    Err(_) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => return,
                }
            };
            stream.set_nonblocking(false).expect("blocking");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let request = read_request(&stream);
            recorded.lock().expect("lock").push(request);
            answers.push(std::thread::spawn(move || {
                let _ = respond(stream, behaviour);
            }));
        }
        for answer in answers {
            let _ = answer.join();
        }
    });
    ScriptedServer {
        url,
        requests,
        handle,
    }
}

/// Reads one request: the head and its `Content-Length` body, as text. A
/// client that hangs up early yields what arrived.
pub fn read_request(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = Vec::with_capacity(length);
    let _ = reader.take(length as u64).read_to_end(&mut body);
    format!("{head}\r\n{}", String::from_utf8_lossy(&body))
}

/// Writes one chunk of a `Transfer-Encoding: chunked` body and flushes it.
pub fn write_chunk(stream: &mut impl Write, data: &[u8]) -> std::io::Result<()> {
    write!(stream, "{:x}\r\n", data.len())?;
    stream.write_all(data)?;
    stream.write_all(b"\r\n")?;
    stream.flush()
}
