//! The status page: one line per station, in Chinese, for the town office.

use std::collections::HashMap;

use casebook::Book;
use casebook::time::china_today;
use chrono::TimeDelta;
use html_escape::encode_text;

use crate::store::postgres::StationHeld;

/// The first day of the week the page counts receptions for.
pub(crate) fn week_start() -> chrono::NaiveDate {
    china_today() - TimeDelta::days(6)
}

/// The page as HTML; `refused` holds each station's last refused upload (when, why); `shared`
/// what a shared store holds of each station's log, when the book does not hold it.
pub(crate) fn page(
    book: &Book,
    refused: &HashMap<String, (String, String)>,
    shared: Option<&HashMap<String, StationHeld>>,
) -> casebook::Result<String> {
    let mut rows = String::new();
    for mut status in book.bundle_status()? {
        let (receptions, kept, last_reason, reads) = match shared {
            Some(shared) => {
                let held = shared.get(&status.peer).cloned().unwrap_or_default();
                status.received_seq = held.acked_to;
                status.last_import_at = held.last_import_at;
                status.gaps = held.gaps;
                (
                    held.receptions_this_week.to_string(),
                    held.quarantined,
                    held.last_reason,
                    held.reads,
                )
            }
            None => (
                book.stats(Some(&status.peer), Some(week_start()), None)
                    .map(|stats| stats.receptions.to_string())
                    .unwrap_or_else(|_| "—".into()),
                status.quarantined.len(),
                status
                    .quarantined
                    .iter()
                    .rev()
                    .find_map(|q| q.reason.clone()),
                book.peer_format(&status.peer)?,
            ),
        };
        let gaps: Vec<String> = status
            .gaps
            .iter()
            .map(|(a, b)| format!("{a}–{b}"))
            .collect();
        // Kept aside: the count, and why the newest refused one was refused.
        let held = match last_reason {
            Some(reason) => format!("{kept}（最近拒收：{reason}）"),
            None => kept.to_string(),
        };
        // Which stations' PCs still run a release before format 3, while the town upgrades.
        let format = match reads {
            None => "—".to_owned(),
            Some(version) if version < casebook::bundle::format::HASHED_RECEIPTS_VERSION => {
                format!("{version}（站点软件尚未升级）")
            }
            Some(version) => version.to_string(),
        };
        let last_refusal = refused
            .get(&status.peer)
            .map_or_else(|| "—".to_owned(), |(at, why)| format!("{at}：{why}"));
        rows.push_str(&format!(
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            encode_text(&status.peer),
            if status.revoked { "（已吊销）" } else { "" },
            encode_text(status.last_import_at.as_deref().unwrap_or("从未")),
            format,
            status.received_seq,
            status.unacknowledged,
            if gaps.is_empty() { "无".to_owned() } else { gaps.join("，") },
            encode_text(&held),
            receptions,
            encode_text(&last_refusal),
            encode_text(status.held_back.as_deref().unwrap_or("—")),
        ));
    }
    let origin = book.origin();
    Ok(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{name} · 同步状态</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.3em .8em}}</style></head>
<body><h1>{name}（{code}）同步状态</h1>
<table><thead><tr><th>站点</th><th>最近上传</th><th>同步包格式</th><th>已收到变更至</th><th>待对方确认</th><th>缺失</th><th>隔离的同步包</th><th>本周接待</th><th>最近一次拒收（此后未再成功上传）</th><th>暂停下发</th></tr></thead>
<tbody>
{rows}</tbody></table></body></html>
"#,
        name = encode_text(&origin.name),
        code = encode_text(&origin.code),
    ))
}
