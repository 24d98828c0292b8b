//! Collecting every mismatch of a test, then failing once with all of them.

/// Collects every mismatch of a test, then fails once with all of them.
pub struct Failures {
    pub test: &'static str,
    pub list: Vec<String>,
    pub checked: usize,
}

impl Failures {
    pub fn new(test: &'static str) -> Failures {
        Failures {
            test,
            list: Vec::new(),
            checked: 0,
        }
    }

    pub fn push(&mut self, failure: String) {
        self.list.push(failure);
    }

    pub fn finish(self) {
        eprintln!("{}: {} checks", self.test, self.checked);
        assert!(self.checked > 0, "{}: checked nothing", self.test);
        if !self.list.is_empty() {
            let shown: Vec<&str> = self.list.iter().take(40).map(String::as_str).collect();
            panic!(
                "{}: {} of {} checks failed:\n- {}",
                self.test,
                self.list.len(),
                self.checked,
                shown.join("\n- ")
            );
        }
    }
}
