//! Text search with filters and pages agrees with a plain scan, on a book large enough that a
//! common word's candidates outrun the row-by-row check and the filter terms join the index
//! query.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use casebook::Book;
use casebook::domain::{CaseStatus, DISPUTE_TYPES};
use casebook::store::BookKind;
use casebook::store::read::{CaseFilter, StatusFilter};
use casebook_demo as demo;

/// The demo book: 1,500 receptions with realistic timelines.
fn demo_book() -> Book {
    let mut book = Book::create_in_memory("DL", "东岭村人大代表联络站", BookKind::Station).unwrap();
    let options = demo::DemoOptions {
        receptions: 1500,
        seed: 11,
    };
    demo::fill(&mut book, &options, |_, _| {}).unwrap();
    book
}

fn filter(query: Option<&str>, status: Option<StatusFilter>, category: Option<&str>) -> CaseFilter {
    CaseFilter {
        status,
        category: category.map(str::to_owned),
        query: query.map(str::to_owned),
        limit: 100_000,
        offset: 0,
    }
}

/// Each case's matter, request, visitor names and addresses, ASCII folded.
fn searchable_text(book: &Book) -> HashMap<String, Vec<String>> {
    book.list_cases(&filter(None, None, None))
        .unwrap()
        .into_iter()
        .map(|case| {
            let reception = book.case(&case.case_no).unwrap().reception;
            let mut fields = vec![reception.matter, reception.request];
            for visitor in reception.visitors {
                fields.extend(visitor.name);
                fields.extend(visitor.address);
            }
            let folded = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
            (case.case_no, folded)
        })
        .collect()
}

/// Case numbers whose fields contain `text`, among the cases the filters alone list; newest
/// first.
fn scan(
    book: &Book,
    fields: &HashMap<String, Vec<String>>,
    text: &str,
    status: Option<StatusFilter>,
    category: Option<&str>,
) -> Vec<String> {
    let needle = text.to_ascii_lowercase();
    book.list_cases(&filter(None, status, category))
        .unwrap()
        .into_iter()
        .filter(|case| fields[&case.case_no].iter().any(|f| f.contains(&needle)))
        .map(|case| case.case_no)
        .collect()
}

#[test]
fn filtered_pages_of_common_and_rare_words_match_a_scan() {
    let book = demo_book();
    let fields = searchable_text(&book);
    let statuses = [
        None,
        Some(StatusFilter::Is(CaseStatus::Closed)),
        Some(StatusFilter::Is(CaseStatus::SentBack)),
        Some(StatusFilter::Is(CaseStatus::Pending)),
        Some(StatusFilter::Overdue),
        Some(StatusFilter::Awaiting),
    ];
    let categories = [None, Some(DISPUTE_TYPES[0]), Some("村务管理")];
    let mut filtered_beyond_budget = 0;
    for text in [
        "村",
        "路",
        "村民",
        "请求",
        "村民小",
        "第3村民小组",
        "秀英",
        "火星人",
    ] {
        let unfiltered = scan(&book, &fields, text, None, None);
        for status in statuses {
            for category in categories {
                let want = scan(&book, &fields, text, status, category);
                let found: Vec<String> = book
                    .list_cases(&filter(Some(text), status, category))
                    .unwrap()
                    .into_iter()
                    .map(|case| case.case_no)
                    .collect();
                assert_eq!(found, want, "{text} {status:?} {category:?}");
                // Pages cut the same list, across the switch to filtered index queries too.
                for (offset, limit) in [(0, 20), (20, 20), (250, 15), (300, 7)] {
                    let mut paged = filter(Some(text), status, category);
                    paged.offset = offset;
                    paged.limit = limit;
                    let page: Vec<String> = book
                        .list_cases(&paged)
                        .unwrap()
                        .into_iter()
                        .map(|case| case.case_no)
                        .collect();
                    let expected: Vec<String> =
                        want.iter().skip(offset).take(limit).cloned().collect();
                    assert_eq!(page, expected, "{text} {status:?} {category:?} @{offset}");
                }
                if unfiltered.len() > 300 && !want.is_empty() && want.len() < unfiltered.len() {
                    filtered_beyond_budget += 1;
                }
            }
        }
    }
    assert!(
        filtered_beyond_budget >= 10,
        "common words with selective filters: {filtered_beyond_budget}"
    );
}
