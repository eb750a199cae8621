//! The minutes (会议记录) of a villagers' democratic council meeting: attendance against the
//! quorum, a sign-in sheet, each motion with its votes and method, the resolution and its
//! rights review, and the publication.

use askama::Template;
use casebook::domain::{AgendaItem, CouncilMeeting};
use casebook::{Book, Error, Result};

use super::{chinese_date, chinese_time, page, printed_station_name};

/// Sign-in boxes per row of the sign-in sheet.
const SIGN_IN_COLUMNS: usize = 5;

struct ItemLine {
    title: String,
    case_no: String,
    discussion: String,
    method: &'static str,
    in_favour: u32,
    against: u32,
    abstain: u32,
    verdict: String,
    resolution: String,
    review: String,
}

#[derive(Template)]
#[template(path = "minutes.html")]
struct Minutes {
    station_name: String,
    village: String,
    held_at: String,
    place: String,
    host: String,
    recorder: String,
    deputies: String,
    expected: u32,
    present: u32,
    ratio: String,
    rule: String,
    quorum: String,
    /// Rows of numbered sign-in boxes, as many boxes as members present.
    sign_in_rows: Vec<Vec<usize>>,
    items: Vec<ItemLine>,
    publication: String,
}

/// Why an item passed or not, in the words of the minutes.
fn verdict(meeting: &CouncilMeeting, item: &AgendaItem) -> String {
    if item.passed {
        return "通过".to_owned();
    }
    if !meeting.quorum_met {
        return "未通过（未达到法定人数）".to_owned();
    }
    let blocked = item.rights_review.as_ref().is_some_and(|r| {
        r.infringes && r.correction.as_deref().is_none_or(|c| c.trim().is_empty())
    });
    if blocked {
        "未通过（决议内容侵害村民人身权利或合法财产权益，须纠正）".to_owned()
    } else {
        "未通过（赞成票未超过到会人数的半数）".to_owned()
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
            if let Some(correction) = &review.correction {
                line.push_str(&format!("。纠正：{correction}"));
            }
            line
        }
    }
}

/// The minutes of a council meeting (by its record id) as a self-contained HTML page.
///
/// The book counts members but does not name them, so the sign-in sheet has one empty box
/// per member present, signed by hand.
///
/// # Errors
/// `not_found` for an unknown meeting; storage errors.
pub fn render_minutes(book: &Book, meeting_id: &str) -> Result<String> {
    let key = meeting_id.trim();
    let meeting: CouncilMeeting = book.meeting(key)?.ok_or_else(|| {
        Error::not_found(format!(
            "找不到会议“{key}”，请写会议编号（meeting list --json 中的 id）"
        ))
    })?;
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
    let rule = meeting.quorum;
    let percent = f64::from(meeting.present) * 100.0 / f64::from(meeting.expected.max(1));
    let minimum = rule.minimum_present(meeting.expected);
    let present = usize::try_from(meeting.present).unwrap_or(0);
    let minutes = Minutes {
        station_name: printed_station_name(book)?,
        village: meeting.village.clone(),
        held_at: chinese_time(meeting.held_at),
        place: meeting.place.clone(),
        host: meeting.host.clone(),
        recorder: meeting.recorder.clone(),
        deputies,
        expected: meeting.expected,
        present: meeting.present,
        ratio: format!("{percent:.1}%"),
        rule: format!(
            "到会人数不少于应到人数的{}/{}（至少{minimum}人），决定须经到会人员过半数同意",
            rule.numerator, rule.denominator
        ),
        quorum: if meeting.quorum_met {
            "达到法定人数，会议有效".to_owned()
        } else {
            "未达到法定人数，会议所作决定无效".to_owned()
        },
        sign_in_rows: (1..=present)
            .collect::<Vec<_>>()
            .chunks(SIGN_IN_COLUMNS)
            .map(<[usize]>::to_vec)
            .collect(),
        items: meeting
            .items
            .iter()
            .map(|item| ItemLine {
                title: item.title.clone(),
                case_no: item.case_no.clone().unwrap_or_default(),
                discussion: item.discussion.clone().unwrap_or_default(),
                method: item.method.label(),
                in_favour: item.votes.in_favour,
                against: item.votes.against,
                abstain: item.votes.abstain,
                verdict: verdict(&meeting, item),
                resolution: item.resolution.clone().unwrap_or_default(),
                review: review_line(item),
            })
            .collect(),
        publication: match (meeting.published_from, meeting.published_to) {
            (Some(from), Some(to)) => {
                format!("{}至{}", chinese_date(from), chinese_date(to))
            }
            (Some(from), None) => format!("自{}起", chinese_date(from)),
            _ => String::new(),
        },
    };
    page(&minutes, "会议记录")
}
