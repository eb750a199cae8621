//! Deputies sign in at the app with a 6-digit PIN of their own, set at their first sign-in.
//!
//! The PIN says who is at the PC (the recorder of each change, the deputy of each audit entry);
//! the book's passphrase protects the disk. PINs are Argon2id hashes inside the (encrypted)
//! book, this PC's own: they never travel in a bundle. Five wrong PINs in a row lock that
//! deputy out for a minute, then two, four… up to a day; a right PIN clears the count.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;

use super::Book;
use super::apply::parse_uuid;
use crate::domain::AuditAction;
use crate::error::{Error, ErrorKind, Result};
use crate::time::stored;

/// Digits in a PIN.
pub const PIN_DIGITS: usize = 6;

/// Wrong PINs in a row before a lockout.
pub const PIN_ATTEMPTS: i64 = 5;

/// The first lockout; each next one doubles, up to [`MAX_LOCKOUT`].
const FIRST_LOCKOUT: TimeDelta = TimeDelta::minutes(1);

/// The longest lockout.
const MAX_LOCKOUT: TimeDelta = TimeDelta::days(1);

/// A deputy the sign-in screen offers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignInDeputy {
    /// Record id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// On duty today: listed first.
    pub on_duty: bool,
    /// Has set a PIN at this PC (otherwise the first sign-in sets it).
    pub has_pin: bool,
    /// Locked out until then after too many wrong PINs.
    pub locked_until: Option<DateTime<FixedOffset>>,
}

/// A deputy's PIN record at this PC.
struct PinRecord {
    hash: String,
    failures: i64,
    lockouts: i32,
    locked_until: Option<DateTime<FixedOffset>>,
}

/// Argon2id for a PIN: 19 MiB, 2 passes (OWASP's minimum), ~50 ms. The PIN is short, so the
/// hash is not what keeps it: the book's encryption and the lockout are.
fn pin_hasher() -> Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|err| Error::Internal(format!("PIN hash parameters: {err}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Refuses a PIN that is not six digits, or is one a bystander guesses first.
pub fn check_pin(pin: &str) -> Result<()> {
    let digits: Vec<u32> = pin.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != PIN_DIGITS || pin.chars().count() != PIN_DIGITS {
        return Err(Error::invalid("登录密码须为6位数字").at("pin"));
    }
    let steps: Vec<i64> = digits
        .windows(2)
        .map(|pair| i64::from(pair[1]) - i64::from(pair[0]))
        .collect();
    let plain = steps
        .iter()
        .all(|step| *step == steps[0] && step.abs() <= 1)
        || (digits[..3] == digits[3..]);
    if plain {
        return Err(Error::invalid(
            "这个登录密码太容易被猜到（如111111、123456、654321、123123），请换一个",
        )
        .at("pin"));
    }
    Ok(())
}

impl Book {
    /// The deputies who may sign in here: today's duty deputies first, then the rest of the
    /// station's active deputies (every active deputy in the town's book), by name.
    pub fn sign_in_deputies(&self, today: NaiveDate) -> Result<Vec<SignInDeputy>> {
        let on_duty: Vec<Uuid> = self
            .duty_shifts(today, today)?
            .into_iter()
            .flat_map(|shift| shift.deputies.into_iter().map(|deputy| deputy.id))
            .collect();
        let own = self.origin().code.clone();
        let town = self.origin().kind != super::BookKind::Station;
        let mut select = self.conn().prepare(
            "SELECT d.id, d.name, p.pin_hash IS NOT NULL, p.locked_until
             FROM deputies d LEFT JOIN deputy_pins p ON p.deputy_id = d.id
             WHERE d.active AND (?1 OR d.station = ?2) ORDER BY d.name, d.id",
        )?;
        let rows = select
            .query_map(params![town, own], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut deputies = rows
            .into_iter()
            .map(|(id, name, has_pin, locked_until)| {
                let id = parse_uuid(&id)?;
                Ok(SignInDeputy {
                    on_duty: on_duty.contains(&id),
                    id,
                    name,
                    has_pin,
                    locked_until: locked_until.as_deref().map(parse_time).transpose()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Stable: by name within each group.
        deputies.sort_by_key(|deputy| !deputy.on_duty);
        Ok(deputies)
    }

    /// Signs `deputy` in with `pin` at `now`; their first sign-in here sets the PIN. From now on
    /// every change this book records names the deputy as its recorder.
    ///
    /// # Errors
    /// `wrong_pin` (with the attempts left), `sign_in_locked` (until when), `invalid` for a
    /// first PIN that is too plain, `unknown_deputy`.
    pub fn sign_in(&mut self, deputy: Uuid, pin: &str, now: DateTime<FixedOffset>) -> Result<()> {
        let name = self.active_deputy_name(deputy)?;
        match self.pin_record(deputy)? {
            None => {
                check_pin(pin)?;
                let salt = SaltString::generate(&mut OsRng);
                let hash = pin_hasher()?
                    .hash_password(pin.as_bytes(), &salt)
                    .map_err(|err| Error::Internal(format!("PIN hash: {err}")))?
                    .to_string();
                self.actor.deputy = Some(deputy);
                self.write(|writer| {
                    writer
                        .tx()
                        .prepare_cached(
                            "INSERT INTO deputy_pins (deputy_id, pin_hash) VALUES (?1, ?2)",
                        )?
                        .execute(params![deputy.to_string(), hash])?;
                    writer.audit_about(Some(deputy), AuditAction::PinSet, None, None, now)?;
                    writer.audit_about(Some(deputy), AuditAction::SignIn, None, None, now)
                })
                .inspect_err(|_| self.actor.deputy = None)
            }
            Some(record) => {
                if let Some(until) = record.locked_until.filter(|until| *until > now) {
                    return Err(locked(&name, until));
                }
                let parsed = PasswordHash::new(&record.hash)
                    .map_err(|err| Error::Corrupt(format!("PIN hash of {deputy}: {err}")))?;
                if pin_hasher()?
                    .verify_password(pin.as_bytes(), &parsed)
                    .is_ok()
                {
                    self.actor.deputy = Some(deputy);
                    return self
                        .write(|writer| {
                            writer
                                .tx()
                                .prepare_cached(
                                    "UPDATE deputy_pins SET failures = 0, lockouts = 0,
                                         locked_until = NULL WHERE deputy_id = ?1",
                                )?
                                .execute([deputy.to_string()])?;
                            writer.audit_about(Some(deputy), AuditAction::SignIn, None, None, now)
                        })
                        .inspect_err(|_| self.actor.deputy = None);
                }
                self.wrong_pin(deputy, &name, record, now)
            }
        }
    }

    /// Counts a wrong PIN, locks the deputy out at the fifth, and says which.
    fn wrong_pin(
        &mut self,
        deputy: Uuid,
        name: &str,
        record: PinRecord,
        now: DateTime<FixedOffset>,
    ) -> Result<()> {
        let failures = record.failures + 1;
        let (failures, lockouts, until) = if failures >= PIN_ATTEMPTS {
            let lockout = FIRST_LOCKOUT
                .checked_mul(1 << record.lockouts.clamp(0, 16))
                .map_or(MAX_LOCKOUT, |lockout| lockout.min(MAX_LOCKOUT));
            (0, record.lockouts + 1, Some(now + lockout))
        } else {
            (failures, record.lockouts, None)
        };
        self.write(|writer| {
            writer
                .tx()
                .prepare_cached(
                    "UPDATE deputy_pins SET failures = ?2, lockouts = ?3, locked_until = ?4
                     WHERE deputy_id = ?1",
                )?
                .execute(params![
                    deputy.to_string(),
                    failures,
                    lockouts,
                    until.map(stored)
                ])?;
            writer.audit_about(Some(deputy), AuditAction::SignInFailed, None, None, now)?;
            if until.is_some() {
                writer.audit_about(Some(deputy), AuditAction::LockedOut, None, None, now)?;
            }
            Ok(())
        })?;
        Err(match until {
            Some(until) => locked(name, until),
            None => Error::refused(
                ErrorKind::WrongPin,
                format!(
                    "登录密码不对，还可以再试{}次；连续输错{PIN_ATTEMPTS}次将暂时锁定",
                    PIN_ATTEMPTS - failures
                ),
            )
            .at("pin"),
        })
    }

    /// Signs the deputy out (or nobody, when none is signed in); `why` goes in the trail
    /// (切换代表, 退出, 空闲锁定).
    pub fn sign_out(&mut self, why: &str) -> Result<()> {
        if self.actor.deputy.is_none() {
            return Ok(());
        }
        self.write(|writer| writer.audit(AuditAction::SignOut, None, Some(why)))?;
        self.actor.deputy = None;
        Ok(())
    }

    /// The deputy signed in, if any.
    pub fn signed_in(&self) -> Option<Uuid> {
        self.actor.deputy
    }

    /// Keeps `deputy` signed in on this book, opened again by the app that signed them in on
    /// its previous handle (the book was closed to be encrypted): no PIN again, no new trail
    /// entry. Only for a deputy who signed in on the same PC's previous handle.
    ///
    /// # Errors
    /// `unknown_deputy` when they are no longer an active deputy.
    pub fn resume_sign_in(&mut self, deputy: Uuid) -> Result<()> {
        self.active_deputy_name(deputy)?;
        self.actor.deputy = Some(deputy);
        Ok(())
    }

    /// Clears `deputy`'s PIN at this PC, and any lockout: they set a new one at their next
    /// sign-in. For a forgotten PIN, by whoever holds the book's passphrase (the station's
    /// head, with `casebook pin reset`). Says whether there was a PIN to clear.
    ///
    /// # Errors
    /// `unknown_deputy` when they are not an active deputy.
    pub fn reset_pin(&mut self, deputy: Uuid) -> Result<bool> {
        self.active_deputy_name(deputy)?;
        self.write(|writer| {
            let cleared = writer
                .tx()
                .prepare_cached("DELETE FROM deputy_pins WHERE deputy_id = ?1")?
                .execute([deputy.to_string()])?
                > 0;
            if cleared {
                writer.audit_about(
                    Some(deputy),
                    AuditAction::PinReset,
                    None,
                    None,
                    crate::time::china_now(),
                )?;
            }
            Ok(cleared)
        })
    }

    fn active_deputy_name(&self, deputy: Uuid) -> Result<String> {
        self.conn()
            .prepare_cached("SELECT name FROM deputies WHERE id = ?1 AND active")?
            .query_row([deputy.to_string()], |row| row.get(0))
            .optional()?
            .ok_or_else(|| {
                Error::refused(ErrorKind::UnknownDeputy, "名册中没有这位代表，或已不在任")
            })
    }

    fn pin_record(&self, deputy: Uuid) -> Result<Option<PinRecord>> {
        let row = self
            .conn()
            .prepare_cached(
                "SELECT pin_hash, failures, lockouts, locked_until FROM deputy_pins
                 WHERE deputy_id = ?1",
            )?
            .query_row([deputy.to_string()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i32>(2)?,
                    row.get::<_, Option<String>>(3)?,
                ))
            })
            .optional()?;
        row.map(|(hash, failures, lockouts, locked_until)| {
            Ok(PinRecord {
                hash,
                failures,
                lockouts,
                locked_until: locked_until.as_deref().map(parse_time).transpose()?,
            })
        })
        .transpose()
    }
}

fn parse_time(text: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).map_err(|err| Error::Corrupt(format!("time {text}: {err}")))
}

fn locked(name: &str, until: DateTime<FixedOffset>) -> Error {
    Error::refused(
        ErrorKind::SignInLocked,
        format!(
            "{name}连续输错登录密码{PIN_ATTEMPTS}次，已暂时锁定，请在{}之后再试；忘记密码请联系站长或镇人大",
            crate::time::to_china(until).format("%H:%M")
        ),
    )
    .at("pin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_pins_are_refused() {
        for pin in [
            "",
            "12345",
            "1234567",
            "12345a",
            "１２３４５６",
            "111111",
            "123456",
            "654321",
            "123123",
            "012345",
        ] {
            assert!(check_pin(pin).is_err(), "{pin}");
        }
        for pin in ["385920", "102938", "774411"] {
            check_pin(pin).unwrap();
        }
    }
}
