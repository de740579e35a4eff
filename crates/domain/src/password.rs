//! Password policy (issue 2, §10): at least 12 characters, and not the user name.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("密码长度不能少于{min}个字符（当前{actual}个）")]
    TooShort { min: usize, actual: usize },
    #[error("密码不能与用户名相同，也不能包含用户名")]
    ContainsUsername,
    #[error("密码不能全部由同一个字符组成")]
    SingleCharacter,
}

pub const MIN_LENGTH: usize = 12;

pub fn check(username: &str, password: &str) -> Result<(), PasswordPolicyError> {
    let actual = password.chars().count();
    if actual < MIN_LENGTH {
        return Err(PasswordPolicyError::TooShort {
            min: MIN_LENGTH,
            actual,
        });
    }
    let user = username.trim().to_lowercase();
    let pass = password.to_lowercase();
    if !user.is_empty() && (pass == user || (user.chars().count() >= 3 && pass.contains(&user))) {
        return Err(PasswordPolicyError::ContainsUsername);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(PasswordPolicyError::SingleCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_boundary() {
        assert_eq!(
            check("zhang", "abcdefghijk"),
            Err(PasswordPolicyError::TooShort {
                min: 12,
                actual: 11
            })
        );
        assert_eq!(check("zhang", "abcdefghijkl"), Ok(()));
        // Characters, not bytes: twelve Chinese characters are twelve.
        assert_eq!(check("zhang", "中小企业特色产业集群认定"), Ok(()));
        assert!(check("zhang", "中小企业特色产业集群认").is_err());
    }

    #[test]
    fn not_the_user_name() {
        assert_eq!(
            check("zhejiang-admin", "Zhejiang-Admin"),
            Err(PasswordPolicyError::ContainsUsername)
        );
        assert_eq!(
            check("wangwei", "wangwei-2026-secret"),
            Err(PasswordPolicyError::ContainsUsername)
        );
        assert_eq!(
            check("wangwei", "aaaaaaaaaaaaaaa"),
            Err(PasswordPolicyError::SingleCharacter)
        );
    }
}
