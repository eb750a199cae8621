//! What the CLI prints for people (without `--json`). ID numbers and phones are masked, and
//! nothing from the book reaches the terminal as a control sequence ([`terminal_safe`]).

use std::borrow::Cow;
use std::fmt::Write;
use std::path::Path;

use casebook::bundle::keys::PublicKeys;
use casebook::bundle::{
    Conflict, EnrolmentWritten, Exported, Imported, Peer, PeerStatus, Quarantined, StationAccepted,
    StationEnrolled,
};
use casebook::change::LogEntry;
use casebook::domain::QuorumBasis;
use casebook::store::Origin;
use casebook::store::audit::AuditListing;
use casebook::store::backup::BackupMade;
use casebook::store::deputy_file::DeputyActivityListing;
use casebook::store::ops::{
    CaseEventAdded, DeputyActivityAdded, MediationAdded, MediationEventAdded, MeetingAdded,
    MeetingEventAdded, ReceptionAdded, RosterImported, SuggestionAdded, SuggestionEventAdded,
};
use casebook::store::read::{
    CaseDetail, CaseSummary, DeputyListing, MediationListing, MeetingListing, SuggestionListing,
};
use casebook::store::stats::{Count, Stats};
use casebook::validate::{forbidden_char, mask_id_number, mask_phone};
use casebook_demo::DemoSummary;
use casebook_docs::{percent, summary};

/// `text` with every character no field may hold ([`forbidden_char`]: controls but newline and
/// tab, bidirectional overrides) written out as `\u{1b}`: what comes from a book, a bundle or a hub's answer
/// can then neither recolour nor rewrite the deputy's terminal, nor hide what it shows.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| forbidden_char(c, true);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

pub fn origin(db: &Path) -> impl FnOnce(&Origin) -> String + '_ {
    move |origin| {
        format!(
            "已创建台账：{} {}（{}）\n",
            origin.code,
            origin.name,
            db.display()
        )
    }
}

pub fn backed_up(made: &BackupMade) -> String {
    let mut out = format!(
        "已备份到 {}（{}，已校验{}，本站变更至第 {} 条）\n",
        made.path,
        size(made.bytes),
        if made.encrypted { "，已加密" } else { "" },
        made.seq
    );
    for removed in &made.removed {
        let _ = writeln!(out, "已删除较旧的备份 {removed}");
    }
    out
}

pub fn restored(done: &crate::Restored) -> String {
    format!(
        "已从备份 {} 恢复台账 {}（站点 {}，本站变更至第 {} 条）。\n\
         备份之后的记录会在下次与镇同步时从镇里找回；请先同步，再登记新的事项\n",
        done.from, done.book, done.station, done.seq
    )
}

/// A size in bytes as a deputy reads it.
fn size(bytes: u64) -> String {
    match bytes {
        0..1_024 => format!("{bytes} 字节"),
        1_024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1_024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

pub fn enrolment_written(e: &EnrolmentWritten) -> String {
    format!(
        "已生成站点登记文件：{}\n站点：{} {}（带去名册等记录 {} 条{}）\n本镇指纹：{}\n请站点在新电脑上用此文件建立台账，并在电话里核对上面的指纹。\n",
        e.path.display(),
        e.station,
        e.station_name,
        e.records,
        recovered_note(e.recovered, "带回本站原有记录"),
        e.fingerprint
    )
}

/// `，<what> N 条` when the town brought a station's own records back, else nothing.
fn recovered_note(recovered: usize, what: &str) -> String {
    if recovered == 0 {
        String::new()
    } else {
        format!("，{what} {recovered} 条")
    }
}

pub fn station_enrolled(e: &StationEnrolled) -> String {
    format!(
        "已创建台账：{} {}，同步对象：{} {}（名册等记录 {} 条{}）\n镇人大的指纹：{}（请打电话给镇人大办公室核对，不一致就不要使用）\n本站指纹：{}\n已写出本站密钥文件：{}，请交回镇人大办公室。\n",
        e.station,
        e.station_name,
        e.town,
        e.town_name,
        e.records,
        recovered_note(e.recovered, "从镇里找回本站原有记录"),
        e.town_fingerprint,
        e.station_fingerprint,
        e.keys_path.display()
    )
}

pub fn station_accepted(a: &StationAccepted) -> String {
    let what = if a.unchanged {
        "已登记过（密钥相同，未作改动）"
    } else if a.replaced {
        "已更换密钥（已记入操作记录）"
    } else {
        "已登记"
    };
    format!(
        "站点 {} {}：{what}\n站点指纹：{}（请与站点在电话里读出的指纹核对）\n",
        a.station, a.station_name, a.fingerprint
    )
}

pub fn roster_imported(r: &RosterImported) -> String {
    format!(
        "已导入名册：网格 {} 个，站点 {} 个，代表 {} 名，值班安排 {} 条（另有 {} 条与台账相同，未重复记录）\n",
        r.grids, r.stations, r.deputies, r.duty, r.unchanged
    )
}

pub fn demo_summary(s: &DemoSummary) -> String {
    format!(
        "已生成演示数据（虚构）：网格 {} 个，站点 {} 个，代表 {} 名，值班 {} 班；接待 {} 件，办理记录 {} 条，议事会 {} 次，调解 {} 件（调解记录 {} 条）\n",
        s.grids,
        s.stations,
        s.deputies,
        s.duty,
        s.receptions,
        s.case_events,
        s.meetings,
        s.mediations,
        s.mediation_events
    )
}

pub fn deputies(list: &Vec<DeputyListing>) -> String {
    let mut out = String::new();
    for d in list {
        let deputy = &d.deputy;
        let _ = writeln!(
            out,
            "{}\t{}\t站点 {}\t网格 {}{}{}",
            deputy.name,
            d.congress_label,
            deputy.station.as_deref().unwrap_or("—"),
            deputy.grid.as_deref().unwrap_or("—"),
            if deputy.mediator_since.is_some() {
                "\t特邀调解员"
            } else {
                ""
            },
            if deputy.active {
                ""
            } else {
                "\t（已离任）"
            },
        );
    }
    let _ = writeln!(out, "共 {} 名代表", list.len());
    out
}

pub fn reception_added(r: &ReceptionAdded) -> String {
    format!("已登记，案件编号 {}\n", r.case_no)
}

pub fn cases(list: &Vec<CaseSummary>) -> String {
    let mut out = String::new();
    for c in list {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}{}\t{}",
            c.case_no,
            c.received_at.format("%Y-%m-%d %H:%M"),
            c.category,
            c.status_label,
            if c.overdue { "（逾期）" } else { "" },
            summary(&c.matter, 30),
        );
    }
    if list.is_empty() {
        out.push_str("没有符合条件的案件\n");
    }
    out
}

pub fn case_detail(c: &CaseDetail) -> String {
    let r = &c.reception;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "案件编号：{}    状态：{}{}",
        r.case_no,
        c.status_label,
        if c.overdue { "（逾期）" } else { "" }
    );
    let _ = writeln!(
        out,
        "接待时间：{}    方式：{}",
        r.received_at.format("%Y-%m-%d %H:%M"),
        r.channel.label()
    );
    let _ = writeln!(out, "接待代表：{}", c.deputy_names.join("、"));
    let _ = writeln!(
        out,
        "类别：{}{}",
        r.category,
        r.subcategory
            .as_deref()
            .map(|s| format!("（{s}）"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "来访人数：{}", r.head_count);
    for v in &r.visitors {
        let _ = writeln!(
            out,
            "  来访人：{}  电话：{}  身份证：{}  住址：{}",
            v.name.as_deref().unwrap_or("匿名"),
            v.phone
                .as_deref()
                .map(mask_phone)
                .unwrap_or_else(|| "—".into()),
            v.id_number
                .as_deref()
                .map(mask_id_number)
                .unwrap_or_else(|| "—".into()),
            v.address.as_deref().unwrap_or("—"),
        );
    }
    let _ = writeln!(out, "事由：{}", r.matter);
    let _ = writeln!(out, "诉求：{}", r.request);
    if let Some(p) = &r.proposed_handling {
        let _ = writeln!(out, "拟办意见：{p}");
    }
    let _ = writeln!(out, "承诺答复日期：{}    当前期限：{}", r.reply_due, c.due);
    let _ = writeln!(out, "办理过程：");
    for e in &c.timeline {
        let particulars: Vec<String> = e
            .event
            .kind
            .detail()
            .into_iter()
            .chain(e.event.note.as_deref().map(|n| format!("备注：{n}")))
            .collect();
        let _ = writeln!(
            out,
            "  {}  {}{}{}",
            e.event.at.format("%Y-%m-%d %H:%M"),
            e.label,
            e.deputy_name
                .as_deref()
                .map(|d| format!("（{d}）"))
                .unwrap_or_default(),
            if particulars.is_empty() {
                String::new()
            } else {
                format!("：{}", particulars.join("；"))
            },
        );
    }
    if c.timeline.is_empty() {
        let _ = writeln!(out, "  （尚无办理记录）");
    }
    for number in &c.mediations {
        let _ = writeln!(out, "调解案件：{number}");
    }
    for number in &c.suggestions {
        let _ = writeln!(out, "代表建议：{number}");
    }
    out
}

pub fn case_event_added(e: &CaseEventAdded) -> String {
    format!("已记录，案件 {} 当前状态：{}\n", e.case_no, e.status_label)
}

pub fn meetings(list: &Vec<MeetingListing>) -> String {
    let mut out = String::new();
    for listing in list {
        let m = &listing.meeting;
        let passed = m.items.iter().filter(|i| i.passed).count();
        let households = m.households().map_or_else(String::new, |(of, came)| {
            format!("，应到{of}户 实到{came}户")
        });
        let objections = match listing.open_objections {
            0 => String::new(),
            n => format!("；异议{n}条未答复"),
        };
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t应到{}人 实到{}人{households}\t{}\t议题{}项，通过{}项{objections}",
            m.held_at.format("%Y-%m-%d %H:%M"),
            m.village,
            m.kind.label(),
            m.expected,
            m.present,
            if m.quorum_met {
                "达到法定人数"
            } else {
                "未达法定人数"
            },
            m.items.len(),
            passed,
        );
    }
    let _ = writeln!(out, "共 {} 次会议", list.len());
    out
}

pub fn meeting_added(m: &MeetingAdded) -> String {
    let verdicts: Vec<String> = m
        .passed
        .iter()
        .enumerate()
        .map(|(i, p)| format!("第{}项{}", i + 1, if *p { "通过" } else { "未通过" }))
        .collect();
    let households = m
        .households_minimum
        .map_or_else(String::new, |n| format!("，或至少{n}户的代表"));
    let basis = match (m.quorum_met, m.basis) {
        (true, QuorumBasis::Households) => "，按户的代表计",
        _ => "",
    };
    format!(
        "已记录{}：{}（法定人数至少{}人{households}{basis}）；{}\n",
        m.kind.label(),
        if m.quorum_met {
            "达到法定人数"
        } else {
            "未达法定人数，决议无效"
        },
        m.quorum_minimum,
        verdicts.join("，")
    )
}

pub fn meeting_event_added(e: &MeetingEventAdded) -> String {
    match e.open_objections {
        0 => "已记录\n".to_owned(),
        n => format!("已记录；这次会议还有{n}条异议未答复\n"),
    }
}

pub fn mediations(list: &Vec<MediationListing>) -> String {
    let mut out = String::new();
    for m in list {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}{}",
            m.mediation.number,
            m.mediation.accepted_at.format("%Y-%m-%d"),
            m.mediation.dispute_type,
            m.state.result.map_or("调解中", |r| r.label()),
            if m.overdue {
                "（超过一个月）"
            } else {
                ""
            },
        );
    }
    let _ = writeln!(out, "共 {} 件调解", list.len());
    out
}

pub fn deputy_activity_added(a: &DeputyActivityAdded) -> String {
    format!("已记录{}的{}\n", a.name, a.kind_label)
}

pub fn deputy_activities(list: &Vec<DeputyActivityListing>) -> String {
    let mut out = String::new();
    for listing in list {
        let a = &listing.activity;
        let mut detail = Vec::new();
        if let Some(organiser) = &a.organiser {
            detail.push(format!("主办 {organiser}"));
        }
        if let Some(present) = a.voters_present {
            detail.push(format!("选民 {present} 人"));
        }
        if let Some(appraisal) = a.appraisal {
            detail.push(format!(
                "测评 满意 {} / 基本满意 {} / 不满意 {}",
                appraisal.satisfied, appraisal.basically_satisfied, appraisal.dissatisfied
            ));
        }
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}{}",
            a.date,
            listing.deputy_name,
            listing.kind_label,
            a.place,
            a.topic,
            if detail.is_empty() {
                String::new()
            } else {
                format!("\t{}", detail.join("，"))
            }
        );
    }
    let _ = writeln!(out, "共 {} 条", list.len());
    out
}

pub fn mediation_added(m: &MediationAdded) -> String {
    format!("已受理，调解编号 {}\n", m.number)
}

pub fn mediation_event_added(m: &MediationEventAdded) -> String {
    format!(
        "已记录，{} 当前：{}\n",
        m.number,
        m.state.result.map_or("调解中", |r| r.label())
    )
}

pub fn suggestions(list: &Vec<SuggestionListing>) -> String {
    let mut out = String::new();
    for s in list {
        let cosigners = if s.cosigner_names.is_empty() {
            String::new()
        } else {
            format!("（附议：{}）", s.cosigner_names.join("、"))
        };
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t领衔：{}{cosigners}\t{}{}{}",
            s.suggestion.number,
            s.suggestion.drafted_at.format("%Y-%m-%d"),
            summary(&s.suggestion.title, 30),
            s.lead_name,
            s.status_label,
            s.state
                .satisfaction
                .map_or_else(String::new, |sat| format!("（{}）", sat.label())),
            if s.overdue { "（答复逾期）" } else { "" },
        );
    }
    let _ = writeln!(out, "共 {} 件代表建议", list.len());
    out
}

pub fn suggestion_added(s: &SuggestionAdded) -> String {
    format!(
        "已起草代表建议 {}（领衔代表为{}，向本级人民代表大会提出）\n",
        s.number,
        s.congress.label()
    )
}

pub fn suggestion_event_added(e: &SuggestionEventAdded) -> String {
    let deadline = e
        .state
        .deadline
        .map_or_else(String::new, |d| format!("，答复期限 {d}"));
    format!("已记录，{} 当前：{}{deadline}\n", e.number, e.status_label)
}

fn counts(out: &mut String, title: &str, counts: &[Count]) {
    let _ = writeln!(out, "{title}：");
    for c in counts {
        let _ = writeln!(out, "  {}\t{}", c.label, c.count);
    }
}

pub fn stats(s: &Stats) -> String {
    let mut out = String::new();
    let range = match (s.from, s.to) {
        (None, None) => "全部".to_owned(),
        (from, to) => format!(
            "{} 至 {}",
            from.map_or("最早".into(), |d| d.to_string()),
            to.map_or("今天".into(), |d| d.to_string())
        ),
    };
    let _ = writeln!(
        out,
        "统计范围：{range}{}",
        s.station
            .as_deref()
            .map(|code| format!("，站点 {code}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "接待 {} 件，{} 人次，其中集体访 {} 件；逾期未答复 {} 件",
        s.receptions, s.people, s.collective_visits, s.overdue
    );
    counts(&mut out, "按来访类型", &s.by_kind);
    counts(&mut out, "纠纷按类型", &s.by_category);
    counts(&mut out, "其他事项按类别", &s.by_suggestion_category);
    counts(&mut out, "按状态", &s.by_status);
    counts(&mut out, "按方式", &s.by_channel);
    counts(&mut out, "按网格", &s.by_grid);
    counts(&mut out, "按代表", &s.by_deputy);
    let sat = &s.satisfaction;
    let _ = writeln!(
        out,
        "回访满意度：满意 {}，基本满意 {}，不满意 {}，满意率 {}",
        sat.satisfied,
        sat.basically_satisfied,
        sat.dissatisfied,
        percent(sat.rate)
    );
    let m = &s.mediation;
    let _ = writeln!(
        out,
        "人民调解：受理 {}，成功 {}，不成 {}，终止 {}，在办 {}（超期 {}），成功率 {}；司法确认申请 {}，确认 {}",
        m.accepted,
        m.succeeded,
        m.failed,
        m.terminated,
        m.open,
        m.overdue,
        percent(m.success_rate),
        m.judicial_confirmations_applied,
        m.judicial_confirmations_confirmed
    );
    let kinds: Vec<String> = s
        .meetings
        .by_kind
        .iter()
        .filter(|k| k.held > 0)
        .map(|k| format!("{} {}", k.label, k.held))
        .collect();
    let _ = writeln!(
        out,
        "会议：{} 次，其中达到法定人数 {} 次{}",
        s.meetings.held,
        s.meetings.quorate,
        if kinds.is_empty() {
            String::new()
        } else {
            format!("（{}）", kinds.join("，"))
        }
    );
    let g = &s.suggestions;
    if g.drafted > 0 {
        let _ = writeln!(
            out,
            "代表建议：起草 {}，提交 {}，答复 {}（答复逾期 {}）；代表满意 {}，基本满意 {}，不满意 {}",
            g.drafted,
            g.submitted,
            g.answered,
            g.overdue,
            g.satisfied,
            g.basically_satisfied,
            g.dissatisfied
        );
    }
    out
}

/// The change log without its records: they hold visitors' personal data.
pub fn changes(list: &Vec<LogEntry>) -> String {
    let mut out = String::new();
    for e in list {
        let _ = writeln!(
            out,
            "{}\t#{}\t{}\t{}\t{}",
            e.origin,
            e.seq,
            e.change.op(),
            e.change.record_id(),
            e.schema_version
        );
    }
    let _ = writeln!(out, "共 {} 条变更", list.len());
    out
}

pub fn audit_trail(list: &Vec<AuditListing>) -> String {
    let mut out = String::new();
    for listing in list {
        let entry = &listing.entry;
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            entry.at.format("%Y-%m-%d %H:%M:%S"),
            entry.station,
            listing.deputy_name.as_deref().unwrap_or("—"),
            listing.action_label,
            terminal_safe(entry.subject.as_deref().unwrap_or("")),
            terminal_safe(entry.detail.as_deref().unwrap_or("")),
            listing.channel_label,
        );
    }
    let _ = writeln!(out, "共 {} 条操作记录", list.len());
    out
}

pub fn keys(k: &PublicKeys) -> String {
    format!(
        "站点 {}\n签名公钥：{}\n加密公钥：{}\n（把这两把公钥交给对方，用 peer add 登记；私钥只保存在本台账中）\n",
        k.origin, k.sign_public, k.seal_public
    )
}

pub fn peer(p: &Peer) -> String {
    format!(
        "{}\t{}\n",
        p.code,
        if p.revoked_at.is_some() {
            "已吊销"
        } else {
            "已登记"
        }
    )
}

pub fn peers(list: &Vec<Peer>) -> String {
    let mut out = String::new();
    for p in list {
        out.push_str(&peer(p));
    }
    let _ = writeln!(out, "共 {} 个同步对象", list.len());
    out
}

pub fn relay(overview: &casebook::bundle::RelayOverview) -> String {
    let mut out = String::new();
    if overview.book == casebook::store::BookKind::Town {
        match &overview.relay_to {
            Some(county) => {
                let _ = writeln!(out, "本镇向“{county}”转报各站点的记录");
            }
            None => {
                let _ = writeln!(
                    out,
                    "本镇尚未设置转报的县级台账（relay set --county 代码）；各站点的同步包已留存，设置后一并转报"
                );
            }
        }
        for station in &overview.stations {
            let _ = writeln!(
                out,
                "{}\t县里已收到第 {} 号为止\t待转报同步包 {} 个",
                station.station, station.held_to, station.waiting
            );
        }
        return out;
    }
    for station in &overview.stations {
        let from = if station.held_from > 1 {
            format!("（自第 {} 号起，此前的记录在镇里）", station.held_from)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{}\t由{}转报\t已收到第 {} 号为止{from}",
            station.station, station.town, station.held_to
        );
    }
    let _ = writeln!(out, "共 {} 个站点", overview.stations.len());
    out
}

pub fn rendered(r: &crate::Rendered) -> String {
    format!("已写入 {}（{} 字节）\n", r.out.display(), r.bytes)
}

pub fn exported(e: &Exported) -> String {
    match &e.path {
        Some(path) if e.to_seq < e.from_seq => format!(
            "已生成同步包：{}（没有新变更，只带回执 {} 份，{} 字节）\n",
            path.display(),
            e.receipts,
            e.bytes
        ),
        Some(path) => format!(
            "已生成同步包：{}（变更第 {}–{} 号中的 {} 条，回执 {} 份，{} 字节）\n",
            path.display(),
            e.from_seq,
            e.to_seq,
            e.changes,
            e.receipts,
            e.bytes
        ),
        None => "没有新的变更需要同步，未生成同步包\n".to_owned(),
    }
}

pub fn imported(i: &Imported) -> String {
    if i.applied == 0 && i.pending == 0 && i.quarantined == 0 && i.duplicates > 0 {
        return format!("重复导入：{} 条变更本台账已有，未作改动\n", i.duplicates);
    }
    format!(
        "已导入：新变更 {} 条，已有 {} 条，待补缺 {} 条，隔离 {} 个同步包，回执 {} 份{}\n",
        i.applied,
        i.duplicates,
        i.pending,
        i.quarantined,
        i.receipts,
        recovered_note(i.recovered, "从镇里找回本站记录")
    ) + &renumbered_note(i.renumbered)
}

/// Records typed after a restore whose numbers the town's copy had used: the deputy owes
/// their visitors a 更正通知.
fn renumbered_note(renumbered: usize) -> String {
    if renumbered == 0 {
        return String::new();
    }
    format!(
        "注意：恢复后登记的 {renumbered} 件记录原编号已被镇里保存的本站记录使用，已改用新编号；         用 `casebook renumbered list` 查看，并打印编号更正通知（`casebook render correction 新编号`）交给来访人\n"
    )
}

fn ranges(list: &[(i64, i64)]) -> String {
    if list.is_empty() {
        return "无".to_owned();
    }
    list.iter()
        .map(|(a, b)| format!("{a}–{b}"))
        .collect::<Vec<_>>()
        .join("，")
}

pub fn bundle_status(list: &Vec<PeerStatus>) -> String {
    let mut out = String::new();
    for s in list {
        let _ = writeln!(
            out,
            "{}{}：已发送至第 {} 号，对方确认至第 {} 号（未确认 {} 条，对方缺 {}）；已收到对方至第 {} 号，缺 {}；最近导入 {}",
            s.peer,
            if s.revoked { "（已吊销）" } else { "" },
            s.last_exported_seq,
            s.acknowledged_seq,
            s.unacknowledged,
            ranges(&s.peer_missing),
            s.received_seq,
            ranges(&s.gaps),
            s.last_import_at.as_deref().unwrap_or("从未"),
        );
        if let Some(held_back) = &s.held_back {
            let _ = writeln!(out, "  已暂停向{}发送：{held_back}", s.peer);
        }
        if let Some(refused) = s.quarantined.iter().rev().find_map(|q| q.reason.as_ref()) {
            let _ = writeln!(
                out,
                "  隔离 {} 个同步包，最近一次拒收：{refused}",
                s.quarantined.len()
            );
        }
    }
    if list.is_empty() {
        out.push_str("尚未登记同步对象\n");
    }
    out
}

pub fn quarantined(list: &Vec<Quarantined>) -> String {
    let mut out = String::new();
    for q in list {
        let _ = write!(
            out,
            "{}\t来自 {}\t数据版本 {}\t{}\t{} 字节",
            q.bundle_id, q.origin, q.schema_version, q.received_at, q.bytes
        );
        match &q.reason {
            Some(reason) => {
                let _ = writeln!(out, "\t拒收：{reason}");
            }
            None => out.push('\n'),
        }
    }
    let refused = list.iter().filter(|q| q.reason.is_some()).count();
    let _ = writeln!(
        out,
        "隔离的同步包 {} 个（由较新版本的软件生成，本版本不读取，原样保留）",
        list.len() - refused
    );
    if refused > 0 {
        let _ = writeln!(
            out,
            "拒收后留存的同步包 {refused} 个（发送方越权或内容无效，未导入，留存备查）"
        );
    }
    out
}

pub fn conflicts(list: &Vec<Conflict>) -> String {
    let mut out = String::new();
    for c in list {
        let _ = writeln!(
            out,
            "{} {}：采用 {} 的版本，{} 的版本未采用（不同字段：{}）",
            c.entity,
            c.record_id,
            c.winner_origin,
            c.loser_origin,
            c.fields.join("、")
        );
    }
    let _ = writeln!(out, "共 {} 处冲突", list.len());
    out
}

pub fn renumbered(list: &Vec<casebook::store::read::Renumbered>) -> String {
    use casebook::store::read::RenumberedKind;
    let mut out = String::new();
    for r in list {
        let what = match r.kind {
            RenumberedKind::Case => "案件",
            RenumberedKind::Mediation => "调解",
        };
        let _ = writeln!(out, "{what} {}（原编号 {}），{}", r.number, r.former, r.at);
    }
    let _ = writeln!(
        out,
        "共 {} 件编号已更正{}",
        list.len(),
        if list.is_empty() {
            ""
        } else {
            "：请为每件打印编号更正通知（casebook render correction 新编号）"
        }
    );
    out
}

/// `due`: one line a task, soonest first.
pub fn due(list: &Vec<casebook::store::due::DueItem>) -> String {
    let mut out = String::new();
    for item in list {
        let when = match item.days_left {
            0 => "今天到期".to_owned(),
            late if late < 0 => format!("已逾期{}天", -late),
            left => format!("还有{left}天"),
        };
        let _ = writeln!(
            out,
            "{}（{when}） {} {}",
            item.date, item.label, item.record
        );
    }
    let _ = writeln!(out, "共 {} 项待办", list.len());
    out
}

/// One sync cycle's answer; `upstream` is whom the book syncs with, as the deputy says it: 镇里
/// for a station, 县里 for a town relaying to its county.
pub fn synced(o: &liaison_sync::SyncOutcome, upstream: &str) -> String {
    let mut out = String::new();
    match &o.push {
        Some(push) => {
            let _ = writeln!(
                out,
                "已上传变更 {} 条（{upstream}新收 {} 条，已有 {} 条），{upstream}确认至第 {} 号",
                o.pushed, push.applied, push.duplicates, o.acknowledged_seq
            );
        }
        None => {
            let _ = writeln!(
                out,
                "没有需要上传的变更（{upstream}确认至第 {} 号）",
                o.acknowledged_seq
            );
        }
    }
    match &o.pulled {
        Some(pulled) => {
            let _ = writeln!(
                out,
                "收到{upstream}的同步包：新变更 {} 条，回执 {} 份{}",
                pulled.applied,
                pulled.receipts,
                recovered_note(pulled.recovered, &format!("从{upstream}找回本站记录"))
            );
            out += &renumbered_note(pulled.renumbered);
        }
        None => {
            let _ = writeln!(out, "{upstream}没有新的内容");
        }
    }
    out
}

/// `encrypt`.
pub fn encrypted(done: &crate::Encrypted) -> String {
    format!(
        "台账已加密：{}\n钥匙文件：{}（务必与台账放在一起，备份时一起备份）\n",
        done.book, done.slots
    )
}

/// `recovery reset-passphrase`.
pub fn pin_reset(done: &crate::PinReset) -> String {
    if done.had_pin {
        format!(
            "已重置{}的登录密码：下次在桌面程序登录时设置新的6位密码\n",
            done.name
        )
    } else {
        format!("{}在本机还没有设置登录密码，无需重置\n", done.name)
    }
}

pub fn recovered(done: &crate::Recovered) -> String {
    format!(
        "已用镇里的钥匙打开 {} 的台账 {}，并设了新密码；旧密码不再能打开它\n",
        done.station, done.book
    )
}
