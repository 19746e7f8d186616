//! I/O errors in words for people: what went wrong, without Rust's `(os error 2)` suffix.

use std::io;

/// `e` in words.
pub fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::InvalidData => "not valid UTF-8 text".to_owned(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use std::io;

    #[test]
    fn os_error_numbers_are_left_out() {
        let e = io::Error::from_raw_os_error(28);
        assert_eq!(describe(&e), "No space left on device");
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(describe(&missing), "no such file or directory");
    }
}
