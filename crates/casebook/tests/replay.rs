//! Property: whatever a deputy does (refusals included), the change log stays gapless, and
//! replaying it into an empty book reproduces the same book, search included.
#![allow(clippy::unwrap_used)]

use casebook::Book;
use casebook::domain::*;
use casebook::store::BookKind;
use casebook::store::read::CaseFilter;
use casebook::time::china_now;
use casebook_demo as demo;
use chrono::TimeDelta;
use proptest::prelude::*;

const WORDS: [&str; 8] = [
    "路灯",
    "低保",
    "宅基地",
    "出嫁女",
    "鱼塘",
    "水渠",
    "噪音",
    "欠薪",
];

#[derive(Debug, Clone)]
enum Op {
    Reception {
        category: usize,
        words: (usize, usize),
        days_ago: i64,
        with_phone: bool,
        consent: bool,
        bad_phone: bool,
    },
    Event {
        case: usize,
        kind: usize,
    },
    Meeting {
        case: usize,
        kind: usize,
        expected: u32,
        present: u32,
        households: Option<(u32, u32)>,
        in_favour: u32,
        two_thirds: bool,
        revote: Option<u32>,
    },
    MeetingEvent {
        meeting: usize,
        kind: usize,
    },
    Mediation {
        case: usize,
        consent: bool,
    },
    MediationEvent {
        mediation: usize,
        kind: usize,
    },
    Activity {
        training: bool,
        days_ago: i64,
        voters: Option<(u32, u32)>,
    },
    Suggestion {
        cases: (usize, usize),
        lead_cosigns: bool,
    },
    SuggestionEvent {
        suggestion: usize,
        kind: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..DISPUTE_TYPES.len(), (0..WORDS.len(), 0..WORDS.len()), 1..60i64, any::<bool>(), prop::bool::weighted(0.9), prop::bool::weighted(0.1))
            .prop_map(|(category, words, days_ago, with_phone, consent, bad_phone)| Op::Reception {
                category, words, days_ago, with_phone, consent, bad_phone
            }),
        5 => (0..64usize, 0..14usize).prop_map(|(case, kind)| Op::Event { case, kind }),
        1 => (
            (0..64usize, 0..4usize, 1..40u32, 0..45u32),
            (prop::option::weighted(0.3, (0..20u32, 0..22u32)), 0..45u32, any::<bool>(), prop::option::weighted(0.3, 0..45u32)),
        )
            .prop_map(|((case, kind, expected, present), (households, in_favour, two_thirds, revote))| Op::Meeting {
                case, kind, expected, present, households, in_favour, two_thirds, revote
            }),
        1 => (0..8usize, 0..5usize).prop_map(|(meeting, kind)| Op::MeetingEvent { meeting, kind }),
        1 => (0..64usize, prop::bool::weighted(0.9)).prop_map(|(case, consent)| Op::Mediation { case, consent }),
        2 => (0..16usize, 0..6usize).prop_map(|(mediation, kind)| Op::MediationEvent { mediation, kind }),
        1 => (any::<bool>(), -2..400i64, prop::option::weighted(0.5, (0..80u32, 0..80u32)))
            .prop_map(|(training, days_ago, voters)| Op::Activity { training, days_ago, voters }),
        1 => ((0..64usize, 0..64usize), prop::bool::weighted(0.2))
            .prop_map(|(cases, lead_cosigns)| Op::Suggestion { cases, lead_cosigns }),
        2 => (0..8usize, 0..6usize).prop_map(|(suggestion, kind)| Op::SuggestionEvent { suggestion, kind }),
    ]
}

fn case_event(kind: usize) -> CaseEventKind {
    let today = china_now().date_naive();
    match kind {
        0 => CaseEventKind::Accepted,
        1 => CaseEventKind::AnsweredOnSpot {
            answer: "政策解释".into(),
        },
        2 => CaseEventKind::NotAccepted {
            reason: "已起诉".into(),
            route: "诉讼".into(),
        },
        3 => CaseEventKind::Referred {
            to: "镇农业农村办".into(),
            deadline: today + TimeDelta::days(10),
        },
        4 => CaseEventKind::Chased {
            unit: None,
            by: None,
            deadline: None,
        },
        5 => CaseEventKind::ReplyReceived {
            from: None,
            content: "已处理".into(),
        },
        6 => CaseEventKind::FedBack,
        7 => CaseEventKind::FollowUp {
            satisfaction: Satisfaction::Satisfied,
            deputy_satisfaction: Some(Satisfaction::Satisfied),
        },
        8 => CaseEventKind::FollowUp {
            satisfaction: Satisfaction::Dissatisfied,
            deputy_satisfaction: None,
        },
        9 => CaseEventKind::SentBack {
            reason: "答复不具体".into(),
        },
        10 => CaseEventKind::ToCouncil,
        11 => CaseEventKind::ToMediation { mediation_no: None },
        12 => CaseEventKind::Closed,
        _ => CaseEventKind::Reopened {
            reason: "新情况".into(),
        },
    }
}

fn meeting_event(kind: usize, objection: Option<uuid::Uuid>) -> MeetingEventKind {
    let today = china_now().date_naive();
    match (kind, objection) {
        (0, _) => MeetingEventKind::Published {
            from: today,
            to: today + TimeDelta::days(7),
            place: "村务公开栏".into(),
        },
        (1, _) => MeetingEventKind::Objection {
            item: Some(1),
            raised_by: Some("梁桂珍".into()),
            content: "分配名单漏列出嫁女".into(),
        },
        (2, Some(objection)) => MeetingEventKind::Answered {
            objection,
            answer: "已补列".into(),
        },
        (3, _) => MeetingEventKind::CarriedOut {
            item: Some(1),
            report: "已按决议办理".into(),
        },
        _ => MeetingEventKind::CarriedOut {
            item: None,
            report: "已公布实施情况".into(),
        },
    }
}

fn mediation_event(kind: usize) -> MediationEventKind {
    let today = china_now().date_naive();
    match kind {
        0 => MediationEventKind::Session {
            place: "调解室".into(),
            statements: "双方陈述".into(),
            facts: None,
            outcome: None,
            participants: Vec::new(),
            recorder: None,
        },
        1 => MediationEventKind::Agreement {
            facts: "事实".into(),
            responsibilities: "责任".into(),
            terms: "条款".into(),
            performance_method: "转账".into(),
            performance_deadline: today + TimeDelta::days(30),
            performance_place: "村委会".into(),
            amount_yuan: Some(500),
            copies: None,
        },
        2 => MediationEventKind::Result {
            result: MediationResult::SucceededWritten,
            routes: None,
            oral_terms: None,
        },
        3 => MediationEventKind::Result {
            result: MediationResult::Failed,
            routes: Some("诉讼".into()),
            oral_terms: None,
        },
        4 => MediationEventKind::Performance {
            performance: Performance::Full,
        },
        _ => MediationEventKind::JudicialConfirmation {
            applied_on: today,
            court: "县人民法院".into(),
            result: ConfirmationResult::Pending,
        },
    }
}

fn suggestion_event(kind: usize) -> SuggestionEventKindInput {
    match kind {
        0 => SuggestionEventKindInput::Submitted {
            to: Some("镇人大主席团".into()),
            registered_no: None,
        },
        1 => SuggestionEventKindInput::Assigned {
            unit: "镇农业农村办".into(),
            deadline: None,
        },
        2 => SuggestionEventKindInput::Answered {
            unit: None,
            answer: "已解决".into(),
            class: AnswerClass::Resolved,
        },
        3 => SuggestionEventKindInput::Answered {
            unit: Some("镇农业农村办".into()),
            answer: "留作参考".into(),
            class: AnswerClass::Explained,
        },
        4 => SuggestionEventKindInput::Satisfaction {
            satisfaction: Satisfaction::Satisfied,
            opinion: None,
        },
        _ => SuggestionEventKindInput::Satisfaction {
            satisfaction: Satisfaction::Dissatisfied,
            opinion: Some("答复不具体".into()),
        },
    }
}

/// The records made so far, by kind, that later operations pick from.
#[derive(Default)]
struct Made {
    cases: Vec<String>,
    mediations: Vec<String>,
    meetings: Vec<String>,
    suggestions: Vec<String>,
}

/// Runs one operation; refusals are part of the story and must leave the log as it was.
fn run(book: &mut Book, op: &Op, deputy: &str, made: &mut Made) {
    let Made {
        cases,
        mediations,
        meetings,
        suggestions,
    } = made;
    let before = book.changes_since(None, 0, None).unwrap().len();
    let pick =
        |list: &Vec<String>, i: usize| (!list.is_empty()).then(|| list[i % list.len()].clone());
    let result: casebook::Result<()> = match op.clone() {
        Op::Reception {
            category,
            words,
            days_ago,
            with_phone,
            consent,
            bad_phone,
        } => {
            let phone = match (with_phone, bad_phone) {
                (_, true) => Some("12345".to_owned()),
                (true, false) => Some("13800138000".to_owned()),
                (false, false) => None,
            };
            book.add_reception(ReceptionInput {
                received_at: china_now() - TimeDelta::days(days_ago),
                channel: Channel::StationVisit,
                deputies: vec![deputy.to_owned()],
                visitors: vec![Visitor {
                    name: Some("陈志明".into()),
                    sex: Some(Sex::Male),
                    age: Some(50),
                    phone,
                    id_number: None,
                    address: Some(format!("东岭村{}", WORDS[words.1])),
                    representative: false,
                }],
                head_count: None,
                kind: None,
                category: DISPUTE_TYPES[category].into(),
                subcategory: None,
                matter: format!("村民反映{}问题", WORDS[words.0]),
                request: "请求处理".into(),
                proposed_handling: None,
                place: None,
                grid: None,
                reply_due: None,
                confidential: false,
                consent,
            })
            .map(|added| cases.push(added.case_no))
        }
        Op::Event { case, kind } => match pick(cases, case) {
            Some(case_no) => book
                .add_case_event(
                    &case_no,
                    CaseEventInput {
                        at: None,
                        deputy: None,
                        note: None,
                        kind: case_event(kind),
                    },
                )
                .map(|_| ()),
            None => Ok(()),
        },
        Op::Meeting {
            case,
            kind,
            expected,
            present,
            households,
            in_favour,
            two_thirds,
            revote,
        } => book
            .add_meeting(MeetingInput {
                kind: Some(MeetingKind::ALL[kind % MeetingKind::ALL.len()]),
                households_expected: households.map(|(of, _)| of),
                households_present: households.map(|(_, came)| came),
                published_place: None,
                village: "东岭村".into(),
                held_at: china_now() - TimeDelta::minutes(1),
                place: "村委会议室".into(),
                host: "主持人".into(),
                recorder: "记录人".into(),
                deputies: vec![deputy.to_owned()],
                expected,
                present,
                quorum: None,
                items: vec![AgendaItemInput {
                    title: "议题".into(),
                    case_no: pick(cases, case),
                    topic: two_thirds.then_some(ItemTopic::LandContract),
                    discussion: None,
                    votes: Votes {
                        in_favour,
                        against: 0,
                        abstain: 0,
                    },
                    method: None,
                    approval: two_thirds.then_some(Approval::TwoThirdsOfAll),
                    resolution: Some("按方案办理".into()),
                    rights_review: revote.map(|in_favour| RightsReview {
                        infringes: true,
                        note: Some("未列出嫁女".into()),
                        correction: Some("补列出嫁女".into()),
                        revote: Some(Votes {
                            in_favour,
                            against: 0,
                            abstain: 0,
                        }),
                    }),
                }],
                published_from: None,
                published_to: None,
            })
            .map(|added| meetings.push(added.id.to_string())),
        Op::MeetingEvent { meeting, kind } => match pick(meetings, meeting) {
            Some(id) => {
                let objection = book
                    .meetings()
                    .unwrap()
                    .into_iter()
                    .find(|m| m.meeting.id.to_string() == id)
                    .and_then(|m| {
                        m.events
                            .iter()
                            .find(|e| matches!(e.kind, MeetingEventKind::Objection { .. }))
                            .map(|e| e.id)
                    });
                book.add_meeting_event(
                    &id,
                    MeetingEventInput {
                        at: None,
                        deputy: None,
                        note: None,
                        kind: meeting_event(kind, objection),
                    },
                )
                .map(|_| ())
            }
            None => Ok(()),
        },
        Op::Mediation { case, consent } => book
            .add_mediation(MediationInput {
                case_no: pick(cases, case),
                source: MediationSource::Application,
                dispute_type: "邻里".into(),
                dispute_subtype: None,
                accepted_at: None,
                summary: "邻里纠纷".into(),
                parties: vec![
                    Party {
                        role: PartyRole::Applicant,
                        name: "张三".into(),
                        sex: None,
                        age: None,
                        phone: None,
                        id_number: None,
                        address: None,
                        ethnicity: None,
                        occupation: None,
                        agent: None,
                    },
                    Party {
                        role: PartyRole::Respondent,
                        name: "李四".into(),
                        sex: None,
                        age: None,
                        phone: None,
                        id_number: None,
                        address: None,
                        ethnicity: None,
                        occupation: None,
                        agent: None,
                    },
                ],
                mediators: vec![MediatorInput::Other(OtherMediator {
                    name: "王调解".into(),
                })],
                consent,
                agreed_to_mediation: true,
            })
            .map(|added| mediations.push(added.number)),
        Op::Suggestion {
            cases: (first, second),
            lead_cosigns,
        } => book
            .add_suggestion(SuggestionInput {
                title: "关于维修水渠的建议".into(),
                category: SUGGESTION_CATEGORIES[2].into(),
                reasons: "水渠失修".into(),
                proposals: "列入计划".into(),
                cases: pick(cases, first)
                    .into_iter()
                    .chain(pick(cases, second))
                    .collect(),
                lead: deputy.to_owned(),
                cosigners: if lead_cosigns {
                    vec![deputy.to_owned()]
                } else {
                    Vec::new()
                },
                congress: None,
                unit: None,
                drafted_at: None,
                drafted_by: None,
            })
            .map(|added| suggestions.push(added.number)),
        Op::SuggestionEvent { suggestion, kind } => match pick(suggestions, suggestion) {
            Some(number) => book
                .add_suggestion_event(
                    &number,
                    SuggestionEventInput {
                        at: None,
                        deputy: None,
                        note: None,
                        kind: suggestion_event(kind),
                    },
                )
                .map(|_| ()),
            None => Ok(()),
        },
        Op::MediationEvent { mediation, kind } => match pick(mediations, mediation) {
            Some(number) => book
                .add_mediation_event(
                    &number,
                    MediationEventInput {
                        at: None,
                        deputy: None,
                        note: None,
                        kind: mediation_event(kind),
                    },
                )
                .map(|_| ()),
            None => Ok(()),
        },
        // Refused when dated tomorrow, when a training has voters, or when more voters graded
        // the report than were present.
        Op::Activity {
            training,
            days_ago,
            voters,
        } => book
            .add_deputy_activity(DeputyActivityInput {
                kind: if training {
                    DeputyActivityKind::Training
                } else {
                    DeputyActivityKind::ReportToVoters
                },
                deputy: deputy.to_owned(),
                date: china_now().date_naive() - TimeDelta::days(days_ago),
                place: "东岭村文化室".into(),
                topic: "年度履职情况".into(),
                summary: Some("报告接待和办理情况".into()),
                organiser: None,
                voters_present: voters.map(|(present, _)| present),
                appraisal: voters.map(|(_, graded)| Appraisal {
                    satisfied: graded,
                    basically_satisfied: 1,
                    dissatisfied: 0,
                }),
            })
            .map(|_| ()),
    };
    let after = book.changes_since(None, 0, None).unwrap().len();
    match result {
        Ok(()) => {
            assert!(
                after > before
                    || matches!(
                        op,
                        Op::Event { .. }
                            | Op::MediationEvent { .. }
                            | Op::MeetingEvent { .. }
                            | Op::SuggestionEvent { .. }
                    )
            )
        }
        Err(err) => {
            assert!(err.kind().is_refusal(), "internal failure on {op:?}: {err}");
            assert_eq!(after, before, "a refusal wrote something: {op:?}: {err}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn log_is_gapless_and_replays_into_the_same_book(ops in prop::collection::vec(op(), 1..60)) {
        let mut book = Book::create_in_memory("BX", "东岭村人大代表联络站", BookKind::Station).unwrap();
        demo::fill(&mut book, &demo::DemoOptions { receptions: 0, seed: 3 }, |_, _| {}).unwrap();
        let deputy = book
            .deputies()
            .unwrap()
            .into_iter()
            .find(|d| d.deputy.station.as_deref() == Some("BX"))
            .unwrap()
            .deputy
            .id
            .to_string();
        let mut made = Made::default();
        for op in &ops {
            run(&mut book, op, &deputy, &mut made);
        }

        let log = book.changes_since(None, 0, None).unwrap();
        let seqs: Vec<i64> = log.iter().map(|e| e.seq).collect();
        prop_assert_eq!(seqs, (1..=log.len() as i64).collect::<Vec<_>>());
        prop_assert!(log.windows(2).all(|w| w[0].hlc < w[1].hlc), "clock not increasing");

        let mut replica = Book::create_in_memory("TOWN", "清溪镇人大", BookKind::Town).unwrap();
        prop_assert_eq!(replica.apply_log(&log).unwrap(), log.len());
        prop_assert_eq!(replica.canonical_dump().unwrap(), book.canonical_dump().unwrap());
        prop_assert_eq!(replica.apply_log(&log).unwrap(), 0, "a replayed log is a no-op");
        for query in WORDS.iter().chain(["陈", "村民反映", "题"].iter()) {
            let filter = CaseFilter { query: Some((*query).into()), limit: 100, ..CaseFilter::default() };
            let ids = |b: &Book| b.list_cases(&filter).unwrap().into_iter().map(|c| c.case_no).collect::<Vec<_>>();
            prop_assert_eq!(ids(&replica), ids(&book), "search for {}", query);
        }
    }
}

#[test]
fn a_changed_replay_of_the_same_seq_is_refused() {
    let mut book = Book::create_in_memory("BX", "站", BookKind::Station).unwrap();
    demo::fill(
        &mut book,
        &demo::DemoOptions {
            receptions: 3,
            seed: 9,
        },
        |_, _| {},
    )
    .unwrap();
    let mut log = book.changes_since(None, 0, None).unwrap();
    let mut replica = Book::create_in_memory("TOWN", "镇", BookKind::Town).unwrap();
    replica.apply_log(&log).unwrap();
    let before = replica.canonical_dump().unwrap();
    let reception = log
        .iter_mut()
        .rev()
        .find_map(|entry| match &mut entry.change {
            casebook::change::Change::ReceptionCreate(reception) => Some(reception),
            _ => None,
        })
        .unwrap();
    reception.matter.push('！');
    let err = replica.apply_log(&log).unwrap_err();
    assert_eq!(err.kind(), casebook::ErrorKind::LogBehindPeer);
    assert_eq!(replica.canonical_dump().unwrap(), before, "nothing applied");
}
