//! What the binary's tests share: starting consoles and sandboxes, talking HTTP to them, and
//! logging in. Each test file uses some of it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub const ORBITAL: &str = env!("CARGO_BIN_EXE_orbital");
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// The first admin's password in every test console.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// A loopback address with a port that nothing listens on right now.
pub fn free_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Answer {
    /// The first value of the header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Sends a bare HTTP/1.1 request (a form when `form` is not empty, with the session `cookie`
/// when given), or `None` if nothing answers.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    form: &str,
    cookie: Option<&str>,
) -> Option<Answer> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut extra = String::new();
    if !form.is_empty() {
        extra += &format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        );
    }
    if let Some(cookie) = cookie {
        extra += &format!("Cookie: {cookie}\r\n");
    }
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n{form}"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let (headers, body) = response.split_once("\r\n\r\n")?;
    let mut answer = Answer {
        status,
        headers: headers.to_owned(),
        body: body.to_owned(),
    };
    if answer
        .header("transfer-encoding")
        .is_some_and(|coding| coding.eq_ignore_ascii_case("chunked"))
    {
        answer.body = unchunked(body)?;
    }
    Some(answer)
}

/// A chunked body's content, whatever sizes the server cut it into; `None` when malformed.
fn unchunked(mut body: &str) -> Option<String> {
    let mut content = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n")?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(content);
        }
        content.push_str(rest.get(..size)?);
        body = rest.get(size..)?.strip_prefix("\r\n")?;
    }
}

/// A GET without a session: status and body.
pub fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    http(addr, "GET", path, "", None).map(|a| (a.status, a.body))
}

/// A GET in the session `cookie`.
pub fn get_as(addr: SocketAddr, cookie: &str, path: &str) -> Answer {
    http(addr, "GET", path, "", Some(cookie)).unwrap()
}

/// A form posted to a server function in the session `cookie`, as the browser's script does.
pub fn post_as(addr: SocketAddr, cookie: &str, path: &str, form: &str) -> Answer {
    http(addr, "POST", path, form, Some(cookie)).unwrap()
}

/// Logs `user` in through the login form; the session cookie, or the answer that refused.
pub fn login(addr: SocketAddr, user: &str, password: &str) -> Result<String, Answer> {
    let form = format!("username={user}&password={password}&next=/");
    let answer = http(addr, "POST", "/login", &form, None).unwrap();
    let cookie = answer
        .header("set-cookie")
        .and_then(|value| value.split(';').next())
        .filter(|cookie| cookie.starts_with("orbital_session="))
        .map(str::to_owned);
    match (answer.status, cookie, answer.header("location")) {
        (303, Some(cookie), Some("/")) => Ok(cookie),
        _ => Err(answer),
    }
}

pub fn wait_until<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(value) = probe() {
            return Some(value);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// A console process with its own data directory; killed if a test fails before stopping it.
pub struct Console {
    pub process: Child,
    pub data_dir: TempDir,
    pub addr: SocketAddr,
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Console {
    /// The console's data directory.
    pub fn data(&self) -> PathBuf {
        self.data_dir.path().join("data")
    }

    /// The kubeconfig of the embedded sandbox `name`.
    pub fn sandbox_kubeconfig(&self, name: &str) -> String {
        self.data()
            .join("sandboxes")
            .join(name)
            .join("kubeconfig")
            .to_string_lossy()
            .into_owned()
    }
}

/// Starts `orbital serve` on `addr` with `extra` flags in `data_dir`, the test admin password
/// set.
pub fn spawn_console(addr: SocketAddr, data_dir: &Path, extra: &[&str]) -> Child {
    console_command(addr, data_dir, extra).spawn().unwrap()
}

/// The command [`spawn_console`] runs, its output thrown away unless the caller sets it.
pub fn console_command(addr: SocketAddr, data_dir: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(ORBITAL);
    command
        .args(["serve", "--listen", &addr.to_string()])
        .arg("--data-dir")
        .arg(data_dir)
        .args(extra)
        .env("ORBITAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// An `orbital sandbox` process, killed on drop.
pub struct SandboxProcess {
    pub process: Child,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Starts `orbital sandbox` on `addr` with `extra` flags, its store and kubeconfig in
/// `data_dir`, and waits until it listens.
pub fn start_sandbox(addr: SocketAddr, data_dir: &Path, extra: &[&str]) -> SandboxProcess {
    let process = Command::new(ORBITAL)
        .args(["sandbox", "--listen", &addr.to_string()])
        .args(extra)
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let kubeconfig = data_dir.join("kubeconfig");
    let written = wait_until(STARTUP_TIMEOUT, || {
        (kubeconfig.exists() && TcpStream::connect(addr).is_ok()).then_some(())
    });
    assert!(written.is_some(), "the sandbox did not start on {addr}");
    SandboxProcess { process }
}

pub fn start_console(addr: SocketAddr, extra: &[&str]) -> Console {
    let data_dir = TempDir::new().unwrap();
    let process = spawn_console(addr, &data_dir.path().join("data"), extra);
    Console {
        process,
        data_dir,
        addr,
    }
}

pub fn wait_ready(addr: SocketAddr) {
    let ready = wait_until(STARTUP_TIMEOUT, || {
        http_get(addr, "/readyz").filter(|(status, _)| *status == 200)
    });
    assert!(ready.is_some(), "console never became ready on {addr}");
}

/// Runs kubectl against the cluster of `kubeconfig`.
pub fn kubectl_on(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .unwrap()
}

/// Runs kubectl with no kubeconfig of its own and a cache in the console's directory.
pub fn kubectl(console: &Console, args: &[&str]) -> Output {
    Command::new("kubectl")
        .env("KUBECONFIG", console.data_dir.path().join("no-kubeconfig"))
        .arg("--cache-dir")
        .arg(console.data_dir.path().join("kube-cache"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("kubectl must be installed (scripts/setup installs it)")
}

/// `curl` against a console serving HTTPS with its own CA: status and body.
pub fn curl(console: &Console, args: &[&str]) -> (u16, String) {
    let ca = console.data().join("tls/ca.crt");
    let output = Command::new("curl")
        .arg("-sS")
        .arg("--cacert")
        .arg(&ca)
        .args(["-w", "\n%{http_code}"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (status.trim().parse().unwrap_or(0), body.to_owned())
}

/// Waits until a console serving HTTPS is ready and, when it is a host on the embedded default,
/// has found its three clusters ready (`member-2`'s agent dials in once the console serves).
pub fn wait_ready_tls(console: &Console) {
    let url = format!("https://{}/readyz", console.addr);
    let ready = wait_until(STARTUP_TIMEOUT, || {
        (curl(console, &[&url]).0 == 200).then_some(())
    });
    assert!(ready.is_some(), "console never became ready on {url}");
    let sandboxes = console.data().join("sandboxes");
    if !sandboxes.join("member-1").exists() {
        return;
    }
    let host = console.sandbox_kubeconfig("host");
    let jsonpath = "jsonpath={.items[*].status.conditions[0].status}";
    let members = wait_until(STARTUP_TIMEOUT, || {
        let output = kubectl(
            console,
            &["--kubeconfig", &host, "get", "clusters", "-o", jsonpath],
        );
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let statuses: Vec<&str> = text.split_whitespace().collect();
        (statuses == ["True", "True", "True"]).then_some(())
    });
    assert!(
        members.is_some(),
        "the embedded clusters never all became ready"
    );
}

/// A bearer token for `user` from a console serving HTTPS.
pub fn token(console: &Console, user: &str, password: &str) -> String {
    let url = format!("https://{}/oauth/token", console.addr);
    let form = format!("grant_type=password&username={user}&password={password}");
    let (status, body) = curl(console, &["-X", "POST", "-d", &form, &url]);
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// kubectl through a console serving HTTPS, to the cluster `cluster`, as the holder of `token`.
pub fn kubectl_as(console: &Console, token: &str, cluster: &str, args: &[&str]) -> Output {
    let server = format!("https://{}/clusters/{cluster}", console.addr);
    let ca = console
        .data()
        .join("tls/ca.crt")
        .to_string_lossy()
        .into_owned();
    let mut all = vec![
        "--server",
        &server,
        "--certificate-authority",
        &ca,
        "--token",
        token,
    ];
    all.extend_from_slice(args);
    kubectl(console, &all)
}

/// A browser of the console at `console`, keeping its cookies in a jar of its own.
pub struct Browser<'a> {
    console: &'a Console,
    jar: PathBuf,
}

impl<'a> Browser<'a> {
    /// Logs `user` in with `password`.
    pub fn login(console: &'a Console, user: &str, password: &str) -> Self {
        let jar = console.data().join(format!("{user}.cookies"));
        let url = format!("https://{}/login", console.addr);
        let form = format!("username={user}&password={password}&next=/");
        let jar_path = jar.to_string_lossy().into_owned();
        let (status, _) = curl(console, &["-c", &jar_path, "-d", &form, &url]);
        assert_eq!(status, 303, "{user} logs in");
        Self { console, jar }
    }

    /// Posts `form` to `path` in the session: status and body.
    pub fn post(&self, path: &str, form: &str) -> (u16, String) {
        let url = format!("https://{}{path}", self.console.addr);
        let jar = self.jar.to_string_lossy().into_owned();
        curl(self.console, &["-b", &jar, "-d", form, &url])
    }

    /// Calls the server function at `endpoint` with the JSON `body`: status and body.
    pub fn call_json(&self, endpoint: &str, body: &serde_json::Value) -> (u16, String) {
        let url = format!("https://{}/api/{endpoint}", self.console.addr);
        let jar = self.jar.to_string_lossy().into_owned();
        let body = body.to_string();
        curl(
            self.console,
            &[
                "-b",
                &jar,
                "-H",
                "Content-Type: application/json",
                "-d",
                &body,
                &url,
            ],
        )
    }

    /// Gets `path` in the session: status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let url = format!("https://{}{path}", self.console.addr);
        let jar = self.jar.to_string_lossy().into_owned();
        curl(self.console, &["-b", &jar, &url])
    }

    /// Gets the page at `path` in the session as a browser does (taking HTML): status and body.
    pub fn page(&self, path: &str) -> (u16, String) {
        let url = format!("https://{}{path}", self.console.addr);
        let jar = self.jar.to_string_lossy().into_owned();
        curl(self.console, &["-b", &jar, "-H", "Accept: text/html", &url])
    }

    /// Starts reading the stream at `path` in the session for `seconds`; its output is what
    /// arrived in that time.
    pub fn stream(&self, path: &str, seconds: u32) -> Child {
        let url = format!("https://{}{path}", self.console.addr);
        Command::new("curl")
            .args(["-sSN", "--max-time", &seconds.to_string(), "--cacert"])
            .arg(self.console.data().join("tls/ca.crt"))
            .arg("-b")
            .arg(&self.jar)
            .arg(url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Calls the server function at `endpoint` with `form`: status and body.
    pub fn call(&self, endpoint: &str, form: &str) -> (u16, String) {
        self.post(&format!("/api/{endpoint}"), form)
    }
    /// Posts `form` to `path` as a browser without script does from the page `page`: status and
    /// the address it is sent on to.
    pub fn submit(&self, path: &str, form: &str, page: &str) -> (u16, String) {
        let url = format!("https://{}{path}", self.console.addr);
        let referer = format!("Referer: https://{}{page}", self.console.addr);
        let jar = self.jar.to_string_lossy().into_owned();
        let (status, headers) = curl(
            self.console,
            &[
                "-b",
                &jar,
                "-H",
                "Accept: text/html,application/xhtml+xml",
                "-H",
                &referer,
                "-d",
                form,
                "-o",
                "/dev/null",
                "-D",
                "-",
                &url,
            ],
        );
        let location = headers
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case("location")
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default();
        (status, location)
    }
}

/// `text` percent-encoded for a form or a query string.
pub fn form_urlencoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
