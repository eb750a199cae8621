//! The dispute types of the Ministry of Justice's people's-mediation statistics, used as the
//! category of every reception and mediation.

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
    fn knows_every_listed_type_and_refuses_others() {
        assert_eq!(dispute_type_index("山林土地").unwrap(), 6);
        assert_eq!(dispute_type_index(" 其他 ").unwrap(), 18);
        let err = dispute_type_index("出嫁女土地权益").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownCategory);
        assert!(err.to_string().contains("婚姻家庭"));
    }
}
