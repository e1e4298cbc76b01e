//! The server side of plain HTTP/1.1 for the tests' stand-in servers (an
//! LLM, a TTS service) on 127.0.0.1: read one request, write chunks.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

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
