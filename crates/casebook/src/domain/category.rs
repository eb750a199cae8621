//! The dispute types of the Ministry of Justice's people's-mediation statistics, the category of
//! every mediation and of every reception that is a dispute; and the classes by which deputies'
//! suggestions are sorted, the category of the other receptions.

use super::ReceptionKind;
use crate::error::{Error, ErrorKind, Result};

/// Dispute types in the order of the statistics tables.
pub const DISPUTE_TYPES: [&str; 19] = [
    "婚姻家庭",
    "邻里",
    "房屋宅基地",
    "合同",
    "生产经营",
    "损害赔偿",
    "山林土地",
    "征地拆迁",
    "环境污染",
    "劳动争议",
    "消费",
    "医疗",
    "道路交通事故",
    "物业",
    "旅游",
    "知识产权",
    "互联网",
    "村务管理",
    "其他",
];

/// The classes of the NPC Standing Committee's reports on deputies' suggestions, criticisms and
/// opinions (全国人大常委会办公厅关于代表建议、批评和意见处理情况的报告, e.g. of 2009-12 to the
/// 11th NPCSC's 12th session), in that order: the category of a suggestion, a request for help,
/// a question or a complaint.
pub const SUGGESTION_CATEGORIES: [&str; 7] = [
    "发展规划和综合经济",
    "财政税收和金融",
    "资源环境、城乡建设和农林水利",
    "科技、教育、文化和卫生",
    "社会及公共事务",
    "法治建设及人大、法院、检察院工作",
    "其他",
];

/// `category` as the category of a reception of `kind` (trimmed), or a refusal naming the
/// valid ones.
pub fn reception_category(kind: ReceptionKind, category: &str) -> Result<String> {
    if kind == ReceptionKind::Dispute {
        return dispute_type_index(category).map(|i| DISPUTE_TYPES[i].to_owned());
    }
    let category = category.trim();
    SUGGESTION_CATEGORIES
        .iter()
        .find(|known| **known == category)
        .map(|known| (*known).to_owned())
        .ok_or_else(|| {
            Error::refused(
                ErrorKind::UnknownCategory,
                format!(
                    "“{}”的类别“{category}”不在目录中，应为：{}",
                    kind.label(),
                    SUGGESTION_CATEGORIES.join("、")
                ),
            )
        })
}

/// Position of `category` in [`DISPUTE_TYPES`], or a refusal naming the valid ones.
pub fn dispute_type_index(category: &str) -> Result<usize> {
    let category = category.trim();
    DISPUTE_TYPES
        .iter()
        .position(|known| *known == category)
        .ok_or_else(|| {
            Error::refused(
                ErrorKind::UnknownCategory,
                format!(
                    "类别“{category}”不在纠纷类型目录中，应为：{}",
                    DISPUTE_TYPES.join("、")
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reception_takes_the_categories_of_its_kind() {
        assert_eq!(
            reception_category(ReceptionKind::Suggestion, " 社会及公共事务 ").unwrap(),
            "社会及公共事务"
        );
        let err = reception_category(ReceptionKind::Help, "山林土地").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownCategory);
        assert!(
            err.to_string().contains("“求助”的类别“山林土地”不在目录中"),
            "{err}"
        );
        let err = reception_category(ReceptionKind::Dispute, "社会及公共事务").unwrap_err();
        assert!(err.to_string().contains("纠纷类型目录"), "{err}");
    }

    #[test]
    fn knows_every_listed_type_and_refuses_others() {
        assert_eq!(dispute_type_index("山林土地").unwrap(), 6);
        assert_eq!(dispute_type_index(" 其他 ").unwrap(), 18);
        let err = dispute_type_index("出嫁女土地权益").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownCategory);
        assert!(err.to_string().contains("婚姻家庭"));
    }
}
