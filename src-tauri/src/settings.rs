//! Settings of this PC (not of the book, and never synced): the phone printed on slips, the
//! hub's address, larger fonts, how long the PC may sit idle before the deputy is signed out,
//! where the book is backed up and how many backups are kept. Kept as JSON beside the book,
//! written atomically.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;

/// Minutes without a key or a click before the app returns to sign-in, unless set.
pub const IDLE_LOCK_DEFAULT: u32 = 15;

/// The longest idle time that may be set: half a day's duty.
pub const IDLE_LOCK_MAX: u32 = 240;

/// Backups kept in the backup folder, unless set.
pub const BACKUP_KEEP_DEFAULT: u32 = 10;

/// The most backups that may be kept: a stick holds them, and the oldest are the least useful.
pub const BACKUP_KEEP_MAX: u32 = 100;

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
    /// The folder the book is backed up into (a USB stick's, most often); empty until chosen.
    pub backup_dir: String,
    /// This station's backups kept in that folder (1–100); older ones are removed.
    pub backup_keep: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            station_phone: String::new(),
            hub_url: String::new(),
            large_font: false,
            idle_lock_minutes: IDLE_LOCK_DEFAULT,
            backup_dir: String::new(),
            backup_keep: BACKUP_KEEP_DEFAULT,
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
        let backup_dir = self.backup_dir.trim().to_owned();
        // A relative path would be taken from wherever the app happened to start.
        if !backup_dir.is_empty() && !Path::new(&backup_dir).is_absolute() {
            return Err(CommandError::invalid(
                "备份文件夹要写完整的位置，请点“选择备份文件夹”在电脑上选择",
            ));
        }
        if !(1..=BACKUP_KEEP_MAX).contains(&self.backup_keep) {
            return Err(CommandError::invalid(format!(
                "保留的备份份数应在1到{BACKUP_KEEP_MAX}之间"
            )));
        }
        Ok(Settings {
            station_phone,
            hub_url,
            large_font: self.large_font,
            idle_lock_minutes: self.idle_lock_minutes,
            backup_dir,
            backup_keep: self.backup_keep,
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
            backup_dir: "/media/usb/台账备份".into(),
            backup_keep: 30,
        };
        settings.save(&path).unwrap();
        assert_eq!(Settings::load(&path), settings);
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
        // A file from before the idle lock: the default, 15 minutes.
        std::fs::write(&path, r#"{"large_font": true}"#).unwrap();
        assert_eq!(Settings::load(&path).idle_lock_minutes, IDLE_LOCK_DEFAULT);
        // …and from before backups: no folder chosen, 10 kept.
        let old = Settings::load(&path);
        assert_eq!((old.backup_dir.as_str(), old.backup_keep), ("", 10));
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

    #[test]
    fn the_backup_folder_is_a_whole_path_and_the_number_kept_is_bounded() {
        let with = |dir: &str, keep: u32| Settings {
            backup_dir: dir.into(),
            backup_keep: keep,
            ..Settings::default()
        };
        for keep in [0, BACKUP_KEEP_MAX + 1] {
            let refused = with("", keep).validated().unwrap_err();
            assert!(refused.message.contains("1到100"), "{}", refused.message);
        }
        for keep in [1, BACKUP_KEEP_MAX] {
            assert_eq!(with("", keep).validated().unwrap().backup_keep, keep);
        }
        let refused = with("台账备份", 10).validated().unwrap_err();
        assert!(
            refused.message.contains("完整的位置"),
            "{}",
            refused.message
        );
        let folder = std::env::temp_dir().join("台账备份").display().to_string();
        let chosen = with(&format!("  {folder} "), 10).validated().unwrap();
        assert_eq!(chosen.backup_dir, folder, "trimmed");
        assert_eq!(
            with("", 10).validated().unwrap().backup_dir,
            "",
            "not chosen"
        );
    }
}
