//! The minutes (会议记录) of a meeting: a 民主议事会 or a villagers' meeting of the Organic Law,
//! titled by its kind. They print attendance against both quorum bases the law gives, a
//! sign-in sheet, each item with its rule, tally and verdict, the rights review with the
//! corrected text and its re-vote, the 公示, the objections and their answers, and how the
//! decisions were carried out — what a town's 司法所 reads when it inspects the file.

use askama::Template;
use casebook::domain::{
    AgendaItem, Approval, Attendance, MeetingEvent, MeetingEventKind, MeetingKind, QuorumBasis,
    Votes,
};
use casebook::store::read::MeetingListing;
use casebook::{Book, Error, Result};

use super::{chinese_date, chinese_time, page, printed_station_name};

/// Sign-in boxes per row of the sign-in sheet.
const SIGN_IN_COLUMNS: usize = 5;

struct ItemLine {
    title: String,
    case_no: String,
    topic: String,
    discussion: String,
    rule: String,
    /// A warning when the rule looks too weak for the item's topic, or the body cannot decide it.
    hint: String,
    method: &'static str,
    in_favour: u32,
    against: u32,
    abstain: u32,
    verdict: String,
    resolution: String,
    review: String,
    correction: String,
    revote: String,
}

struct FollowUp {
    date: String,
    text: String,
}

#[derive(Template)]
#[template(path = "minutes.html")]
struct Minutes {
    title: String,
    station_name: String,
    held_at: String,
    place: String,
    host: String,
    recorder: String,
    deputies: String,
    kind: &'static str,
    attendance: String,
    households: String,
    rule: String,
    quorum: String,
    /// Rows of numbered sign-in boxes, as many boxes as members present.
    sign_in_rows: Vec<Vec<usize>>,
    items: Vec<ItemLine>,
    publication: String,
    publication_place: String,
    objections: Vec<FollowUp>,
    carried_out: Vec<FollowUp>,
}

fn percent(count: u32, of: u32) -> String {
    format!("{:.1}%", f64::from(count) * 100.0 / f64::from(of.max(1)))
}

fn tally(votes: Votes) -> String {
    format!(
        "赞成 {} 票，反对 {} 票，弃权 {} 票",
        votes.in_favour, votes.against, votes.abstain
    )
}

/// The quorum rule in the law's words, with the counts it needs.
fn rule_line(listing: &MeetingListing) -> String {
    let m = &listing.meeting;
    let a = &listing.attendance;
    let members = format!(
        "{}{}（至少{}人）",
        m.kind.members(),
        a.members_threshold.words(),
        a.members_minimum
    );
    match (
        m.kind.source(),
        a.households_threshold,
        a.households_minimum,
    ) {
        (Some(source), Some(households), Some(minimum)) => format!(
            "依{source}，应有{members}参加，或者{}的户的代表（至少{minimum}户）参加",
            households.words()
        ),
        (Some(source), _, _) => format!("依{source}，应有{members}参加"),
        (None, _, _) => format!("本站议事规则：{members}到会"),
    }
}

fn quorum_line(kind: MeetingKind, a: &Attendance) -> String {
    if !a.met {
        return "未达到法定人数，会议所作决定无效".to_owned();
    }
    match (kind, a.basis) {
        (_, QuorumBasis::Households) => {
            "按户的代表计达到法定人数，会议有效，表决以户的代表计".to_owned()
        }
        _ => "达到法定人数，会议有效".to_owned(),
    }
}

/// The item's rule and the votes in favour it needs, on the meeting's basis.
fn item_rule(a: &Attendance, item: &AgendaItem, needed: u32) -> String {
    let who = match a.basis {
        QuorumBasis::Members => "人",
        QuorumBasis::Households => "户",
    };
    match item.approval {
        Approval::PresentMajority => format!(
            "到会{}{who}的过半数同意（须赞成至少{needed}票）",
            a.voting_present
        ),
        Approval::TwoThirdsOfAll => format!(
            "全体{}{who}的三分之二以上同意（须赞成至少{needed}票）",
            a.voting_all
        ),
    }
}

fn hint(kind: MeetingKind, item: &AgendaItem) -> String {
    let Some(topic) = item.topic else {
        return String::new();
    };
    if kind == MeetingKind::Council {
        return format!(
            "提示：民主议事会为协商议事会议，涉及{}的事项须提交村民会议或村民代表会议依法表决",
            topic.label()
        );
    }
    if item.approval == Approval::PresentMajority {
        return format!(
            "提示：涉及{}的事项，依{}，一般须经全体成员三分之二以上同意",
            topic.label(),
            topic.source()
        );
    }
    String::new()
}

/// Why an item passed or not, in the words of the minutes.
fn verdict(a: &Attendance, item: &AgendaItem, needed: u32) -> String {
    let review = item.rights_review.as_ref().filter(|r| r.infringes);
    if item.passed {
        return match review {
            Some(r) if r.revote.is_some() => "通过（纠正后的决议经重新表决通过）".to_owned(),
            // Recorded before a re-vote was required: the verdict stays as it was given.
            Some(_) => "通过（按当时的规则记录：纠正后未重新表决）".to_owned(),
            None => "通过".to_owned(),
        };
    }
    if !a.met {
        return "未通过（未达到法定人数）".to_owned();
    }
    if let Some(r) = review {
        let corrected = r
            .correction
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        return match (corrected, r.revote) {
            (false, _) => {
                "未通过（决议内容侵害村民人身权利或合法财产权益，须纠正后重新表决）".to_owned()
            }
            (true, None) => "未通过（决议已纠正，纠正后的决议尚未重新表决）".to_owned(),
            (true, Some(_)) => {
                format!("未通过（纠正后的决议重新表决，赞成票不足{needed}票）")
            }
        };
    }
    match item.approval {
        Approval::PresentMajority => "未通过（赞成票未超过到会人数的半数）".to_owned(),
        Approval::TwoThirdsOfAll => {
            format!("未通过（赞成票未达到全体成员的三分之二，须至少{needed}票）")
        }
    }
}

fn review_line(item: &AgendaItem) -> String {
    match &item.rights_review {
        None => String::new(),
        Some(review) => {
            let mut line = if review.infringes {
                "经审查，决议内容侵害村民人身权利或合法财产权益".to_owned()
            } else {
                "经审查，决议内容未侵害村民人身权利和合法财产权益".to_owned()
            };
            if let Some(note) = &review.note {
                line.push_str(&format!("：{note}"));
            }
            line
        }
    }
}

fn item_number(item: Option<u32>) -> String {
    item.map_or_else(String::new, |n| format!("对议题{n}"))
}

/// The objections with their answers, and the reports of what was carried out, in order.
fn follow_ups(events: &[MeetingEvent]) -> (Vec<FollowUp>, Vec<FollowUp>) {
    let mut objections = Vec::new();
    let mut carried_out = Vec::new();
    for event in events {
        let date = chinese_date(event.at.date_naive());
        match &event.kind {
            MeetingEventKind::Objection {
                item,
                raised_by,
                content,
            } => {
                let who = raised_by.clone().unwrap_or_default();
                let answer = events.iter().find_map(|e| match &e.kind {
                    MeetingEventKind::Answered { objection, answer } if *objection == event.id => {
                        Some(format!("{}答复：{answer}", chinese_date(e.at.date_naive())))
                    }
                    _ => None,
                });
                objections.push(FollowUp {
                    date,
                    text: format!(
                        "{who}{}提出异议：{content}。{}",
                        item_number(*item),
                        answer.unwrap_or_else(|| "尚未答复".to_owned())
                    ),
                });
            }
            MeetingEventKind::CarriedOut { item, report } => carried_out.push(FollowUp {
                date,
                text: match item {
                    Some(n) => format!("议题{n}：{report}"),
                    None => report.clone(),
                },
            }),
            MeetingEventKind::Published { .. } | MeetingEventKind::Answered { .. } => {}
        }
    }
    (objections, carried_out)
}

/// The minutes of a meeting (by its record id) as a self-contained HTML page.
///
/// The book counts members but does not name them, so the sign-in sheet has one empty box
/// per member present, signed by hand.
///
/// # Errors
/// `not_found` for an unknown meeting; storage errors.
pub fn render_minutes(book: &Book, meeting_id: &str) -> Result<String> {
    let key = meeting_id.trim();
    let listing = book.meeting(key)?.ok_or_else(|| {
        Error::not_found(format!(
            "找不到会议“{key}”，请写会议编号（meeting list --json 中的 id）"
        ))
    })?;
    let meeting = &listing.meeting;
    let a = &listing.attendance;
    let names = book.deputies()?;
    let deputies = meeting
        .deputies
        .iter()
        .map(|id| {
            names
                .iter()
                .find(|d| d.deputy.id == *id)
                .map_or_else(|| id.to_string(), |d| d.deputy.name.clone())
        })
        .collect::<Vec<_>>()
        .join("、");
    let present = usize::try_from(meeting.present).unwrap_or(0);
    let (objections, carried_out) = follow_ups(&listing.events);
    let publication = listing.publication.as_ref();
    let minutes = Minutes {
        title: format!("{}{}", meeting.village, meeting.kind.minutes_title()),
        station_name: printed_station_name(book)?,
        held_at: chinese_time(meeting.held_at),
        place: meeting.place.clone(),
        host: meeting.host.clone(),
        recorder: meeting.recorder.clone(),
        deputies,
        kind: meeting.kind.label(),
        attendance: format!(
            "{}应到 {} 人，实到 {} 人，到会比例 {}",
            meeting.kind.members(),
            meeting.expected,
            meeting.present,
            percent(meeting.present, meeting.expected)
        ),
        households: meeting.households().map_or_else(String::new, |(of, came)| {
            format!(
                "户的代表应到 {of} 户，实到 {came} 户，到会比例 {}",
                percent(came, of)
            )
        }),
        rule: rule_line(&listing),
        quorum: quorum_line(meeting.kind, a),
        sign_in_rows: (1..=present)
            .collect::<Vec<_>>()
            .chunks(SIGN_IN_COLUMNS)
            .map(<[usize]>::to_vec)
            .collect(),
        items: meeting
            .items
            .iter()
            .zip(&listing.needed)
            .map(|(item, &needed)| {
                let review = item.rights_review.as_ref();
                let infringes = review.is_some_and(|r| r.infringes);
                ItemLine {
                    title: item.title.clone(),
                    case_no: item.case_no.clone().unwrap_or_default(),
                    topic: item.topic.map_or("", |t| t.label()).to_owned(),
                    discussion: item.discussion.clone().unwrap_or_default(),
                    rule: item_rule(a, item, needed),
                    hint: hint(meeting.kind, item),
                    method: item.method.label(),
                    in_favour: item.votes.in_favour,
                    against: item.votes.against,
                    abstain: item.votes.abstain,
                    verdict: verdict(a, item, needed),
                    resolution: item.resolution.clone().unwrap_or_default(),
                    review: review_line(item),
                    correction: review
                        .and_then(|r| r.correction.clone())
                        .unwrap_or_default(),
                    revote: match review.and_then(|r| r.revote) {
                        Some(votes) => format!("{}：{}", item.method.label(), tally(votes)),
                        None if infringes => "未重新表决".to_owned(),
                        None => String::new(),
                    },
                }
            })
            .collect(),
        publication: match publication {
            Some(p) => match p.to {
                Some(to) => format!("{}至{}", chinese_date(p.from), chinese_date(to)),
                None => format!("自{}起", chinese_date(p.from)),
            },
            None => String::new(),
        },
        publication_place: publication
            .and_then(|p| p.place.clone())
            .unwrap_or_default(),
        objections,
        carried_out,
    };
    page(&minutes, "会议记录")
}
