//! Settings of this PC (not of the book, and never synced): the phone printed on slips, the
//! hub's address, larger fonts, how long the PC may sit idle before the deputy is signed out.
//! Kept as JSON beside the book, written atomically.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;

/// Minutes without a key or a click before the app returns to sign-in, unless set.
pub const IDLE_LOCK_DEFAULT: u32 = 15;

/// The longest idle time that may be set: half a day's duty.
pub const IDLE_LOCK_MAX: u32 = 240;

/// What the 设置 screen edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    /// Printed on slips instead of the roster's station phone, when not empty.
    pub station_phone: String,
    /// The town hub, e.g. `http://192.0.2.10:8700`; empty when the station syncs by USB stick.
    pub hub_url: String,
    /// Larger text for older eyes.
    pub large_font: bool,
    /// Minutes without a key or a click before the signed-in deputy is signed out (1–240).
    pub idle_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            station_phone: String::new(),
            hub_url: String::new(),
            large_font: false,
            idle_lock_minutes: IDLE_LOCK_DEFAULT,
        }
    }
}

impl Settings {
    /// The settings in `path`; defaults when the file is missing or unreadable (the deputy can
    /// set them again; the book itself is untouched).
    pub fn load(path: &Path) -> Settings {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|err| {
                tracing::warn!("settings file {} unreadable: {err}", path.display());
                Settings::default()
            }),
            Err(_) => Settings::default(),
        }
    }

    /// Checks and tidies what the deputy typed.
    pub fn validated(self) -> Result<Settings, CommandError> {
        let station_phone = self.station_phone.trim().to_owned();
        if station_phone.chars().count() > 30 {
            return Err(CommandError::invalid("联系电话太长（最多30个字符）"));
        }
        let hub_url = self.hub_url.trim().trim_end_matches('/').to_owned();
        if !hub_url.is_empty()
            && !hub_url.starts_with("http://")
            && !hub_url.starts_with("https://")
        {
            return Err(CommandError::invalid(
                "镇中心地址应以 http:// 或 https:// 开头，例如 http://192.0.2.10:8700",
            ));
        }
        if !(1..=IDLE_LOCK_MAX).contains(&self.idle_lock_minutes) {
            return Err(CommandError::invalid(format!(
                "无人操作自动退出的时间应在1到{IDLE_LOCK_MAX}分钟之间"
            )));
        }
        Ok(Settings {
            station_phone,
            hub_url,
            large_font: self.large_font,
            idle_lock_minutes: self.idle_lock_minutes,
        })
    }

    /// Writes the settings to `path` (a temporary file renamed over it: never half-written).
    pub fn save(&self, path: &Path) -> Result<(), CommandError> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|err| CommandError::internal(format!("设置无法保存：{err}")))?;
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, text).map_err(|err| CommandError::file(&partial, &err))?;
        std::fs::rename(&partial, path).map_err(|err| CommandError::file(path, &err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_addresses_must_be_http() {
        let settings = Settings {
            hub_url: "192.0.2.10:8700".into(),
            ..Settings::default()
        };
        assert_eq!(
            settings.validated().unwrap_err().kind,
            crate::error::CommandErrorKind::Core(casebook::ErrorKind::Invalid)
        );
        let settings = Settings {
            hub_url: " http://192.0.2.10:8700/ ".into(),
            ..Settings::default()
        };
        assert_eq!(
            settings.validated().unwrap().hub_url,
            "http://192.0.2.10:8700"
        );
    }

    #[test]
    fn saved_settings_load_back_and_garbage_loads_as_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let settings = Settings {
            station_phone: "0750-5512345".into(),
            hub_url: String::new(),
            large_font: true,
            idle_lock_minutes: 5,
        };
        settings.save(&path).unwrap();
        assert_eq!(Settings::load(&path), settings);
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
        // A file from before the idle lock: the default, 15 minutes.
        std::fs::write(&path, r#"{"large_font": true}"#).unwrap();
        assert_eq!(Settings::load(&path).idle_lock_minutes, IDLE_LOCK_DEFAULT);
    }

    #[test]
    fn the_idle_time_is_bounded() {
        for minutes in [0, IDLE_LOCK_MAX + 1] {
            let settings = Settings {
                idle_lock_minutes: minutes,
                ..Settings::default()
            };
            assert!(settings.validated().is_err(), "{minutes}");
        }
    }
}
