//! A mail server for tests and the demo: speaks enough SMTP (RFC 5321) for a
//! real client to deliver to it, keeps what it received, and can be told to
//! refuse, so delivery, retries and failures are tested over a socket.
//! No TLS, no authentication: it listens on loopback only.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message as it arrived.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent (dot-stuffing undone).
    pub data: String,
}

impl Received {
    /// A header's value, unfolded (e.g. `Subject`, `Message-ID`).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The body after the headers, decoded from its transfer encoding
    /// (base64 or quoted-printable), so tests can look for plain words.
    pub fn body(&self) -> String {
        use base64::Engine;
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        match encoding.as_str() {
            "base64" => {
                let compact: String = body.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            "quoted-printable" => {
                let joined = body.replace("=\r\n", "");
                let bytes = joined.as_bytes();
                let mut out = Vec::with_capacity(bytes.len());
                let mut i = 0;
                while i < bytes.len() {
                    let escaped = (bytes[i] == b'=')
                        .then(|| joined.get(i + 1..i + 3))
                        .flatten()
                        .and_then(|hex| u8::from_str_radix(hex, 16).ok());
                    match escaped {
                        Some(byte) => {
                            out.push(byte);
                            i += 3;
                        }
                        None => {
                            out.push(bytes[i]);
                            i += 1;
                        }
                    }
                }
                String::from_utf8_lossy(&out).into_owned()
            }
            _ => body.to_owned(),
        }
    }
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    /// Replies to give at the end of DATA instead of accepting, in turn.
    refusals: Vec<String>,
}

/// A running mail server on a loopback port.
#[derive(Clone)]
pub struct MailServer {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Inbox>>,
}

impl MailServer {
    /// The `TENANTRY_SMTP_URL` that reaches it.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// What arrived once `count` messages are in, or after ten seconds,
    /// whichever comes first.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..100 {
            if self.lock().received.len() >= count {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.received()
    }

    /// The next message is refused with `reply` (e.g. `451 4.3.0 try
    /// later` or `550 5.1.1 no such user`) instead of accepted.
    pub fn refuse_next(&self, reply: &str) {
        self.lock().refusals.push(reply.to_owned());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inbox> {
        self.inbox
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub async fn spawn(addr: SocketAddr) -> std::io::Result<MailServer> {
    let listener = TcpListener::bind(addr).await?;
    let server = MailServer {
        addr: listener.local_addr()?,
        inbox: Arc::default(),
    };
    let accepting = server.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let server = accepting.clone();
            tokio::spawn(async move {
                let _ = converse(stream, server).await;
            });
        }
    });
    Ok(server)
}

async fn converse(stream: TcpStream, server: MailServer) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 simulator ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-simulator\r\n250-8BITMIME\r\n250 SMTPUTF8".into(),
            "HELO" | "NOOP" => "250 OK".into(),
            "MAIL" => {
                from = address(&command);
                to.clear();
                "250 OK".into()
            }
            "RCPT" => {
                to.push(address(&command));
                "250 OK".into()
            }
            "RSET" => {
                from.clear();
                to.clear();
                "250 OK".into()
            }
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                    data.push_str(unstuffed);
                }
                let refusal = {
                    let mut inbox = server.lock();
                    if inbox.refusals.is_empty() {
                        inbox.received.push(Received {
                            from: from.clone(),
                            to: to.clone(),
                            data,
                        });
                        None
                    } else {
                        Some(inbox.refusals.remove(0))
                    }
                };
                refusal.unwrap_or_else(|| "250 OK queued".into())
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 command not implemented".into(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}

/// The address in `MAIL FROM:<a@b>` or `RCPT TO:<a@b>`.
fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_owned())
        .unwrap_or_default()
}
