//! The real app under WebDriver: `tauri-driver` (which starts WebKit's `WebKitWebDriver`) on
//! free ports, and a session whose browser is `liaison-station` itself.

use std::cell::Cell;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::sync::{Mutex, MutexGuard};

/// How long the UI may take to show what a step waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// One window at a time: the tests of this binary run on parallel threads, and keyboard focus
/// under a window-manager-less Xvfb is only certain for a window that is alone.
static WINDOW: Mutex<()> = Mutex::const_new(());

/// Builds the app once per run (a no-op when fresh) and returns its executable: the suite never
/// drives a stale binary.
pub fn app_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_app)
}

fn build_app() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        // `test --no-run`, not `build`: the binary `cargo test --workspace` has just built for
        // the app's own tests has the same features, so this is a no-op there instead of a
        // second build of Tauri.
        .args([
            "test",
            "--no-run",
            "--locked",
            "-p",
            "liaison-station",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "the app builds");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| {
            message["target"]["name"] == "liaison-station"
                && message["target"]["kind"][0] == "bin"
                && message["profile"]["test"] == false
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the app's executable")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// `tauri-driver`, stopped with SIGTERM so that it takes `WebKitWebDriver` down with it.
struct DriverProcess {
    child: Child,
    /// Dropped with the process: tells the watchdog that the test is over.
    _watched: std::sync::mpsc::Sender<()>,
}

/// The longest one launch of the app may be driven. A WebDriver call that never answers (as
/// WebKit's may, for a click on a covered element) then fails the test instead of stalling it.
const WATCHDOG: Duration = Duration::from_secs(150);

fn kill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}

impl DriverProcess {
    fn start(command: &mut Command) -> std::io::Result<DriverProcess> {
        let child = command.spawn()?;
        let pid = child.id();
        let (watched, over) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if over.recv_timeout(WATCHDOG) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                eprintln!(
                    "the app was still driven after {WATCHDOG:?}: stopping tauri-driver, so that the test fails"
                );
                kill(pid);
            }
        });
        Ok(DriverProcess {
            child,
            _watched: watched,
        })
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        kill(self.child.id());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The window's size as the app opens it (src-tauri/tauri.conf.json).
const WINDOW_SIZE: (u32, u32) = (1366, 768);

/// The app's window, driven over WebDriver.
pub struct App {
    pub client: Client,
    /// The inner size the window has, which every screenshot must show.
    size: Cell<(u32, u32)>,
    driver: DriverProcess,
    _window: MutexGuard<'static, ()>,
}

/// Whether `program` is an executable file on `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The PIN the tests' deputies sign in with (set at their first sign-in).
pub const PIN: &str = "385920";

/// Starts `liaison-station ARGS` under WebDriver and waits for its first screen; when the
/// sign-in layer asks, signs in as the first deputy offered with [`PIN`].
pub async fn launch(binary: &Path, args: &[String]) -> App {
    let app = launch_signed_out(binary, args).await;
    app.sign_in_if_asked().await;
    app
}

/// Starts `liaison-station ARGS` under WebDriver and waits for its first screen (the sign-in
/// layer, if it asks, left showing).
pub async fn launch_signed_out(binary: &Path, args: &[String]) -> App {
    start(binary, args, &[]).await
}

/// As [`launch`], on a PC whose clock is set to the time zone `zone` (`TZ`, e.g. `Etc/GMT+12`).
pub async fn launch_in_zone(binary: &Path, args: &[String], zone: &str) -> App {
    let app = start(binary, args, &[("TZ", zone.to_owned())]).await;
    app.sign_in_if_asked().await;
    app
}

/// As [`launch`], with the station's clock `days` ahead of the PC's (the workspace's test
/// clock, `CASEBOOK_TEST_CLOCK_SHIFT`, which the app's test build honours).
pub async fn launch_days_later(binary: &Path, args: &[String], days: i64) -> App {
    let shift = ("CASEBOOK_TEST_CLOCK_SHIFT", (days * 24 * 3600).to_string());
    let app = start(binary, args, &[shift]).await;
    app.sign_in_if_asked().await;
    app
}

/// Starts the app with `env` set for it (it inherits it through tauri-driver and
/// WebKitWebDriver).
async fn start(binary: &Path, args: &[String], env: &[(&str, String)]) -> App {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "the desktop suite needs a display: run it under xvfb-run (scripts/test does)"
    );
    assert!(
        on_path("WebKitWebDriver"),
        "WebKitWebDriver is missing: apt-get install webkit2gtk-driver"
    );
    let window = WINDOW.lock().await;
    let port = free_port();
    let native_port = free_port();
    let mut command = Command::new("tauri-driver");
    command
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    command.envs(env.iter().cloned());
    let driver = DriverProcess::start(&mut command).unwrap_or_else(|err| {
        panic!(
            "tauri-driver does not start ({err}): cargo install tauri-driver --version ^2 --locked"
        )
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let capabilities = json!({
        "tauri:options": {"application": binary, "args": args}
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object")
    };
    let mut builder = ClientBuilder::native();
    builder.capabilities(capabilities);
    let url = format!("http://127.0.0.1:{port}");
    let client = tokio::time::timeout(Duration::from_secs(60), builder.connect(&url))
        .await
        .expect("the app's window opens within a minute")
        .expect("a WebDriver session on the app");
    let app = App {
        client,
        size: Cell::new(WINDOW_SIZE),
        driver,
        _window: window,
    };
    app.testid("page-title").await;
    app.js(HEARTBEAT).await;
    app
}

/// A speck (one pixel at 0.4–0.5 % opacity, not to be seen) redrawn every frame. The app draws
/// without the GPU (software rendering on Linux); then WebKit's WebDriver waits for the next
/// presentation of the page before a screenshot or after a click, and on a page where nothing
/// moves none comes: the session hangs for good. The speck keeps the page presenting.
const HEARTBEAT: &str = "
    const speck = document.createElement('div');
    speck.style.cssText = 'position: fixed; right: 0; bottom: 0; width: 1px; height: 1px;'
        + 'pointer-events: none; z-index: 2147483647; background: #000; opacity: 0.004';
    document.body.appendChild(speck);
    let odd = false;
    (function beat() {
        odd = !odd;
        speck.style.opacity = odd ? '0.005' : '0.004';
        requestAnimationFrame(beat);
    })();
";

fn by_testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl App {
    /// Whether the sign-in layer shows now.
    pub async fn sign_in_shown(&self) -> bool {
        self.js("return !!document.querySelector('[data-testid=sign-in]')")
            .await
            .as_bool()
            .unwrap_or(false)
    }

    /// Signs in as the first deputy the sign-in layer offers, with [`PIN`], if it shows.
    pub async fn sign_in_if_asked(&self) {
        if !self.sign_in_shown().await {
            return;
        }
        let first = self.testid("sign-in-deputy").await;
        let name = first
            .attr("data-name")
            .await
            .expect("the deputy's name")
            .expect("data-name");
        self.sign_in(&name, PIN).await;
    }

    /// On the sign-in layer, picks `name` and gives `pin` (twice, at their first sign-in),
    /// then waits for the layer to go.
    pub async fn sign_in(&self, name: &str, pin: &str) {
        self.pick_deputy(name).await;
        self.enter_pin(pin).await;
        self.until(&format!("{name} to be signed in"), || async {
            !self.sign_in_shown().await
        })
        .await;
        self.until_text("signed-in-name", name).await;
    }

    /// On the sign-in layer's list, picks `name`.
    pub async fn pick_deputy(&self, name: &str) {
        self.click(&format!(
            "[data-testid=sign-in-deputy][data-name=\"{name}\"]"
        ))
        .await;
        self.testid("sign-in-pin").await;
    }

    /// Types `pin` into the PIN field (and its repeat at a first sign-in) and presses Enter.
    pub async fn enter_pin(&self, pin: &str) {
        let enter = Key::Enter.to_string();
        if self.count("sign-in-pin-repeat").await > 0 {
            self.type_into("sign-in-pin", pin).await;
            self.type_into("sign-in-pin-repeat", &format!("{pin}{enter}"))
                .await;
        } else {
            self.type_into("sign-in-pin", &format!("{pin}{enter}"))
                .await;
        }
    }

    /// The element marked `data-testid=ID`, once it is shown.
    pub async fn testid(&self, id: &str) -> Element {
        self.find(&by_testid(id)).await
    }

    /// The first element matching `css`, once it is shown.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(err) => self.fail(&format!("no {css} on the screen: {err}")).await,
        }
    }

    /// Every element marked `data-testid=ID` now.
    pub async fn all_testid(&self, id: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(&by_testid(id)))
            .await
            .expect("find elements")
    }

    /// Waits until `check` holds, polling the screen.
    pub async fn until<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + PATIENCE;
        while !check().await {
            if Instant::now() > deadline {
                self.fail(&format!("timed out waiting for {what}")).await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Fails the test with what the screen says is wrong and a picture of it
    /// (`target/tmp/screens/failed.png`).
    pub async fn fail(&self, what: &str) -> ! {
        let picture = match self.client.screenshot().await {
            Ok(png) => format!(
                "; screen: {}",
                save_screenshot("failed", &png, None).display()
            ),
            Err(_) => String::new(),
        };
        panic!("{what}{}{picture}", self.messages().await);
    }

    /// Clicks a menu item and waits for its screen's title.
    pub async fn open(&self, nav: &str, title: &str) {
        self.click_testid(nav).await;
        self.until(&format!("the {title} screen"), || async {
            self.text_of("page-title").await.contains(title)
        })
        .await;
    }

    /// The text of the element marked `data-testid=ID`, as shown (`innerText`: WebKit's
    /// WebDriver sometimes answers "" for an element's text).
    pub async fn text_of(&self, id: &str) -> String {
        let element = self.testid(id).await;
        self.text(&element).await
    }

    /// The text of the first element matching `css`, once it is shown.
    pub async fn text_at(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.text(&element).await
    }

    /// The text of `element`, as shown.
    pub async fn text(&self, element: &Element) -> String {
        let text = self
            .client
            .execute(
                "return arguments[0].innerText",
                vec![serde_json::to_value(element).expect("an element reference")],
            )
            .await
            .unwrap_or_default();
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Types into the input inside (or at) the element marked `data-testid=ID`.
    pub async fn type_into(&self, id: &str, text: &str) {
        let input = self.input_in(id).await;
        input.send_keys(text).await.expect("type");
    }

    /// The `<input>` or `<textarea>` at or inside the element marked `data-testid=ID`.
    /// The value of the input marked `data-testid=ID`.
    pub async fn value_of(&self, id: &str) -> String {
        self.input_in(id)
            .await
            .prop("value")
            .await
            .expect("the input's value")
            .unwrap_or_default()
    }

    pub async fn input_in(&self, id: &str) -> Element {
        let css = by_testid(id);
        self.find(&format!(
            "input{css}, textarea{css}, {css} input, {css} textarea"
        ))
        .await
    }

    /// Once the screen has settled, saves a PNG of the window as
    /// `target/tmp/screens/NAME.png` and checks that it has the window's size (1366×768 unless
    /// [`App::resize`] changed it).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        self.settle().await;
        let png = self.client.screenshot().await.expect("screenshot");
        save_screenshot(name, &png, Some(self.size.get()))
    }

    /// Resizes the window so that the page inside it is `width`×`height`, as a deputy dragging
    /// its corner would, and checks the page's own measure of it.
    pub async fn resize(&self, width: u32, height: u32) {
        let inner = || async {
            let size = self
                .js("return [window.innerWidth, window.innerHeight]")
                .await;
            let size = |at: usize| size[at].as_u64().expect("a size");
            (size(0), size(1))
        };
        let (outer_width, outer_height) = self.client.get_window_size().await.expect("window size");
        let (inner_width, inner_height) = inner().await;
        // Whatever frame the window has stays around the page.
        let frame = |outer: u64, inner: u64, wanted: u32| {
            u32::try_from(outer.saturating_sub(inner)).expect("a frame") + wanted
        };
        self.client
            .set_window_size(
                frame(outer_width, inner_width, width),
                frame(outer_height, inner_height, height),
            )
            .await
            .expect("resize the window");
        let wanted = (u64::from(width), u64::from(height));
        let deadline = Instant::now() + PATIENCE;
        loop {
            let now = inner().await;
            if now == wanted {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the page is {now:?}, not {wanted:?}, in the resized window"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.size.set((width, height));
    }

    /// As [`App::screenshot`], for a screen whose scripts animate (charts): waits until two
    /// pictures in a row are the same.
    pub async fn screenshot_still(&self, name: &str) -> PathBuf {
        self.settle().await;
        let deadline = Instant::now() + PATIENCE;
        let mut last = self.client.screenshot().await.expect("screenshot");
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let png = self.client.screenshot().await.expect("screenshot");
            if png == last {
                return save_screenshot(name, &png, Some(self.size.get()));
            }
            assert!(Instant::now() < deadline, "{name} never stopped moving");
            last = png;
        }
    }

    /// What the screen says is wrong: form errors and messages, for a failing step's report.
    async fn messages(&self) -> String {
        let said = self
            .client
            .execute(
                "return [...document.querySelectorAll('.el-form-item__error, .el-message, .el-message-box')]
                   .map((e) => e.innerText.trim()).filter(Boolean)",
                vec![],
            )
            .await
            .unwrap_or_default();
        match said.as_array() {
            Some(list) if !list.is_empty() => format!("; the screen says {said}"),
            _ => String::new(),
        }
    }

    /// The rendered text (`innerText`) of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let texts = self
            .client
            .execute(
                "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText)",
                vec![json!(css)],
            )
            .await
            .expect("read texts");
        serde_json::from_value(texts).expect("texts")
    }

    /// Clicks the first element matching `css`, once nothing (a fading mask, a message) lies
    /// over it. The element is first scrolled wholly into view, as a deputy would: WebKit's
    /// WebDriver clicks the middle of an element that shows only in part, which may lie outside
    /// its scrolled box, on whatever is there.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let element = self.find(css).await;
            if let Ok(reference) = serde_json::to_value(&element) {
                let _ = self
                    .client
                    .execute(
                        "arguments[0].scrollIntoView({block: 'nearest', inline: 'nearest'})",
                        vec![reference],
                    )
                    .await;
            }
            let error = match tokio::time::timeout(PATIENCE, element.click()).await {
                Ok(Ok(())) => return,
                Ok(Err(err)) => err.to_string(),
                Err(_) => "the click got no answer".to_owned(),
            };
            if Instant::now() > deadline {
                self.fail(&format!("cannot click {css}: {error}")).await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Clicks the element marked `data-testid=ID`, as [`App::click`].
    pub async fn click_testid(&self, id: &str) {
        self.click(&by_testid(id)).await;
    }

    /// Runs `script` in the page and returns its result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|err| panic!("script failed: {err}\n{script}"))
    }

    /// How many elements marked `data-testid=ID` there are now.
    pub async fn count(&self, id: &str) -> usize {
        self.all_testid(id).await.len()
    }

    /// Waits until exactly `n` elements are marked `data-testid=ID`.
    pub async fn until_count(&self, id: &str, n: usize) {
        self.until(&format!("{n} × {id}"), || async {
            self.count(id).await == n
        })
        .await;
    }

    /// Waits until the text of the element marked `data-testid=ID` contains `text`.
    pub async fn until_text(&self, id: &str, text: &str) {
        self.until(&format!("{id} to show {text:?}"), || async {
            self.text_of(id).await.contains(text)
        })
        .await;
    }

    /// Types `keys` where the keyboard focus is, as a person at the keyboard does.
    pub async fn press(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .expect("a focused element")
            .send_keys(keys)
            .await
            .expect("type");
    }

    /// Presses Escape, as at the keyboard (closes the drawer, dialog or list on top).
    pub async fn press_escape(&self) {
        let escape = char::from(Key::Escape);
        self.client
            .perform_actions(
                KeyActions::new("keyboard".into())
                    .then(KeyAction::Down { value: escape })
                    .then(KeyAction::Up { value: escape }),
            )
            .await
            .expect("press Escape");
    }

    /// The `data-testid` of the focused element or of its nearest marked ancestor.
    pub async fn focused(&self) -> String {
        let id = self
            .js("return document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? ''")
            .await;
        id.as_str().unwrap_or_default().to_owned()
    }

    /// Presses Tab `times` times and checks that the focus lands on `id`.
    pub async fn tab_to(&self, times: usize, id: &str) {
        self.press(&Key::Tab.to_string().repeat(times)).await;
        assert_eq!(self.focused().await, id, "{times} × Tab should reach {id}");
    }

    /// In a filterable select marked `data-testid=ID` (focused by typing into it), types
    /// `filter` and presses Enter, which picks the first matching option; then checks that the
    /// select shows a choice holding `filter` (tried again while its options are still loading).
    pub async fn choose(&self, id: &str, filter: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let input = self.input_in(id).await;
            input
                .send_keys(&format!("{filter}{}", Key::Enter))
                .await
                .expect("type");
            let shown_by = Instant::now() + Duration::from_secs(2);
            while Instant::now() < shown_by {
                let shown = self
                    .client
                    .execute(
                        "return arguments[0].closest('.el-select')?.innerText ?? ''",
                        vec![serde_json::to_value(&input).expect("an element reference")],
                    )
                    .await
                    .unwrap_or_default();
                if shown.as_str().is_some_and(|text| text.contains(filter)) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{id}: no option for {filter:?}")).await;
            }
            let _ = input.clear().await;
        }
    }

    /// Waits until the screen is still, for a screenshot: no CSS animation or Vue transition
    /// runs (dialogs, drawers, tags) and no message floats over it; the pointer rests in the
    /// top-left corner, hovering over nothing.
    pub async fn settle(&self) {
        let rest = MouseActions::new("rest".into()).then(PointerAction::MoveTo {
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client
            .perform_actions(rest)
            .await
            .expect("move the pointer");
        let deadline = Instant::now() + PATIENCE;
        loop {
            let moving = self
                .js("return [
                       ...document.getAnimations().filter((a) => a.playState === 'running')
                          .map((a) => `${a.constructor.name} ${a.animationName ?? a.transitionProperty ?? ''} on ${a.effect?.target?.className}`),
                       ...[...document.querySelectorAll('[class*=\"-enter-from\"], [class*=\"-enter-active\"], [class*=\"-leave-active\"], .el-message')]
                          .map((e) => e.className),
                     ]")
                .await;
            if moving.as_array().is_some_and(Vec::is_empty) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never settles: {moving}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Two frames, so that what the page now holds has been painted.
        let painted = self.client.execute_async(
            "requestAnimationFrame(() => requestAnimationFrame(() => arguments[0]()))",
            vec![],
        );
        tokio::time::timeout(PATIENCE, painted)
            .await
            .expect("the page paints")
            .expect("wait for frames");
    }

    /// The app's process (its WebKit processes are its children).
    pub fn process(&self) -> u32 {
        app_process(self.driver.child.id()).expect("the app runs under tauri-driver")
    }

    /// Ends the session and closes the window.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// Closes the window as the deputy does, with its title bar's ×, and waits for the app to
    /// end. The window manager would send `WM_DELETE_WINDOW`; there is none under Xvfb, so the
    /// test sends it.
    pub async fn close_window_as_deputy(self) {
        let app = self.process();
        tokio::task::spawn_blocking(move || ask_window_to_close(app))
            .await
            .expect("the X11 request ran")
            .unwrap_or_else(|err| panic!("could not ask the window to close: {err}"));
        let deadline = Instant::now() + PATIENCE;
        while process_state(app).is_some_and(|(state, _)| state != 'Z') {
            assert!(
                Instant::now() < deadline,
                "the app did not end after its window was closed"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A process's state letter and parent, from `/proc/PID/stat`.
fn process_state(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(") ")?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    Some((state, parent))
}

/// The app's process among `driver`'s descendants (tauri-driver starts WebKitWebDriver, which
/// starts the app): one window of an app that is still ending may linger beside it.
fn app_process(driver: u32) -> Option<u32> {
    let descends = |mut pid: u32| {
        while let Some((_, parent)) = process_state(pid) {
            if parent == driver {
                return true;
            }
            if parent <= 1 {
                return false;
            }
            pid = parent;
        }
        false
    };
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|name| name.trim_end() == "liaison-station")
                && descends(pid)
        })
}

/// Sends `WM_DELETE_WINDOW` to the shown top-level windows of process `app` (`_NET_WM_PID`).
fn ask_window_to_close(app: u32) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{
        AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState,
    };

    let (conn, screen) = x11rb::connect(None)?;
    let root = conn.setup().roots[screen].root;
    let atom = |name: &str| -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
        Ok(conn.intern_atom(false, name.as_bytes())?.reply()?.atom)
    };
    let (protocols, delete, pid) = (
        atom("WM_PROTOCOLS")?,
        atom("WM_DELETE_WINDOW")?,
        atom("_NET_WM_PID")?,
    );
    let mut asked = 0;
    for window in conn.query_tree(root)?.reply()?.children {
        if conn.get_window_attributes(window)?.reply()?.map_state != MapState::VIEWABLE {
            continue;
        }
        let owner = conn
            .get_property(false, window, pid, AtomEnum::CARDINAL, 0, 1)?
            .reply()?
            .value32()
            .and_then(|mut values| values.next());
        if owner != Some(app) {
            continue;
        }
        let event = ClientMessageEvent::new(
            32,
            window,
            protocols,
            [delete, x11rb::CURRENT_TIME, 0, 0, 0],
        );
        conn.send_event(false, window, EventMask::NO_EVENT, event)?;
        asked += 1;
    }
    conn.flush()?;
    if asked == 0 {
        return Err(format!("process {app} shows no window").into());
    }
    Ok(())
}

/// Writes `png` as `target/tmp/screens/NAME.png`, once it is sure to be a PNG of the `expected`
/// size (width, height), when one is given.
fn save_screenshot(name: &str, png: &[u8], expected: Option<(u32, u32)>) -> PathBuf {
    assert_eq!(png.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]), "a PNG");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    if let Some((width, height)) = expected {
        assert_eq!(
            (size(16), size(20)),
            (width, height),
            "{name}: the window is {width}×{height}"
        );
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screens");
    std::fs::create_dir_all(&dir).expect("screens folder");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    path
}
