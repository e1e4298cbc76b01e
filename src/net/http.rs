//! A minimal blocking HTTP/1.1 POST over `std::net`, plain or TLS, returning the status and
//! a body reader that undoes chunked transfer encoding. Connecting, the TLS handshake and
//! every read are bounded by the timeout; callers that stream a long body can tighten the
//! read timeout as their own deadline approaches (`Response::set_read_timeout`).
//! Used by the LLM client (`dialog::llm`) and the OpenAI-compatible speech backend.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::tls::{self, TlsStream};

/// The parts of an `http[s]://host[:port]/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// `https://`: the connection is TLS.
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Parses an `http://` or `https://` URL; `None` for other schemes or malformed input.
pub fn parse_url(url: &str) -> Option<HttpUrl> {
    let (tls, rest) = match url.strip_prefix("https://") {
        Some(rest) => (true, rest),
        None => (false, url.strip_prefix("http://")?),
    };
    let default_port = if tls { 443 } else { 80 };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, p.parse().ok()?),
        _ => (authority, default_port),
    };
    if host.is_empty() {
        return None;
    }
    Some(HttpUrl {
        tls,
        host: host.trim_matches(['[', ']']).to_string(),
        port,
        path: path.to_string(),
    })
}

/// A response whose body is read as it arrives.
pub struct Response {
    pub status: u16,
    /// `Content-Type` as sent, if any.
    pub content_type: Option<String>,
    pub body: Box<dyn BufRead + Send>,
    /// A handle on the socket under `body`, to change its read timeout.
    socket: TcpStream,
}

impl Response {
    /// Bounds each further read of the body by `timeout` (at least 1 ms: a zero timeout
    /// would mean "wait forever" to the OS).
    pub fn set_read_timeout(&self, timeout: Duration) -> io::Result<()> {
        self.socket
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
    }
}

/// The connection under the HTTP exchange.
enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// Sends a POST with a JSON body and reads the status line and headers. `tls` is the
/// client configuration for `https://` URLs (ignored for `http://`).
pub fn post_json(
    url: &HttpUrl,
    tls: Option<&Arc<rustls::ClientConfig>>,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> io::Result<Response> {
    let addr = (url.host.as_str(), url.port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "host did not resolve"))?;
    let started = Instant::now();
    let stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.set_nodelay(true)?;
    let socket = stream.try_clone()?;
    let mut conn = match (url.tls, tls) {
        (false, _) => Conn::Plain(stream),
        (true, Some(config)) => Conn::Tls(Box::new(tls::connect(
            stream,
            &url.host,
            config.clone(),
            started + timeout,
        )?)),
        (true, None) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "https:// URL without a TLS configuration",
            ));
        }
    };
    let default_port = if url.tls { 443 } else { 80 };
    let host = if url.port == default_port {
        url.host.clone()
    } else {
        format!("{}:{}", url.host, url.port)
    };
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        url.path,
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    conn.write_all(request.as_bytes())?;
    conn.write_all(body)?;
    conn.flush()?;

    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not an HTTP status line: {:?}", line.trim()),
            )
        })?;
    let mut chunked = false;
    let mut length: Option<u64> = None;
    let mut content_type = None;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed inside the headers",
            ));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((name, value)) = l.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("transfer-encoding")
                && value.to_ascii_lowercase().contains("chunked")
            {
                chunked = true;
            } else if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().ok();
            } else if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.to_string());
            }
        }
    }
    let body: Box<dyn BufRead + Send> = if chunked {
        Box::new(BufReader::new(Chunked {
            inner: reader,
            remaining: 0,
            done: false,
        }))
    } else if let Some(n) = length {
        Box::new(reader.take(n))
    } else {
        Box::new(reader)
    };
    Ok(Response {
        status,
        content_type,
        body,
        socket,
    })
}

/// Decodes `Transfer-Encoding: chunked`.
struct Chunked<R> {
    inner: R,
    remaining: u64,
    done: bool,
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            let mut line = String::new();
            self.inner.read_line(&mut line)?;
            if line.trim().is_empty() {
                // The CRLF after the previous chunk's data.
                line.clear();
                self.inner.read_line(&mut line)?;
            }
            let size = line.trim().split(';').next().unwrap_or("");
            if size.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "stream ended inside a chunk header",
                ));
            }
            self.remaining = u64::from_str_radix(size, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size {size:?}"),
                )
            })?;
            if self.remaining == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf.len().min(self.remaining as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stream ended inside a chunk",
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            parse_url("http://127.0.0.1:8080/v1/chat/completions"),
            Some(HttpUrl {
                tls: false,
                host: "127.0.0.1".into(),
                port: 8080,
                path: "/v1/chat/completions".into()
            })
        );
        assert_eq!(
            parse_url("http://localhost").map(|u| (u.port, u.path)),
            Some((80, "/".into()))
        );
        assert_eq!(
            parse_url("https://api.example.com/v1").map(|u| (u.tls, u.port, u.host)),
            Some((true, 443, "api.example.com".into()))
        );
        assert_eq!(parse_url("ftp://example.com/v1"), None);
    }

    #[test]
    fn decodes_chunked_bodies() {
        let raw: &[u8] = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        let mut out = String::new();
        Chunked {
            inner: raw,
            remaining: 0,
            done: false,
        }
        .read_to_string(&mut out)
        .expect("valid chunks");
        assert_eq!(out, "hello, world");
    }
}
