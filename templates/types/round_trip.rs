/// What became of the examples: the spec breaks its own schema in the
/// rejected ones; a changed one is a value the types do not carry faithfully.
#[derive(Default)]
pub struct RoundTrips {
    passed: usize,
    rejected: Vec<String>,
    changed: Vec<String>,
    /// Properties of examples that no struct declares, which the types ignore.
    ignored: Vec<String>,
}

impl RoundTrips {
    /// Decodes the example at `pointer` (`json`) as the server decodes a
    /// body, encodes it back and compares.
    pub fn check<T: FromJson + serde::Serialize>(&mut self, pointer: &str, json: &str) {
        self.check_expecting::<T>(pointer, json, json, &[]);
    }

    /// Like `check`, for an example that does not come back as it is: what
    /// comes back is `expected`, without the properties the types do not
    /// declare (at `ignored`) and with the defaults of the fields it leaves out.
    pub fn check_expecting<T: FromJson + serde::Serialize>(
        &mut self,
        pointer: &str,
        json: &str,
        expected: &str,
        ignored: &[&str],
    ) {
        let example: Value = serde_json::from_str(json).expect("examples are JSON");
        let expected: Value = serde_json::from_str(expected).expect("examples are JSON");
        match T::from_json(example) {
            Err(errors) => self.rejected.push(format!("{pointer}: {errors}")),
            Ok(decoded) => {
                let at = |property: &&str| format!("{pointer}{property}");
                self.ignored.extend(ignored.iter().map(at));
                let encoded = serde_json::to_value(&decoded).expect("decoded values encode");
                match difference(&expected, &encoded, "") {
                    None => self.passed += 1,
                    Some(difference) => self.changed.push(format!("{pointer}: {difference}")),
                }
            }
        }
    }

    /// Prints the tally (`examples: N round-tripped, N rejected, N changed,
    /// N undeclared properties ignored`) and fails on anything but a clean
    /// round trip.
    pub fn finish(self) {
        println!(
            "examples: {} round-tripped, {} rejected, {} changed, {} undeclared properties ignored",
            self.passed,
            self.rejected.len(),
            self.changed.len(),
            self.ignored.len()
        );
        for ignored in &self.ignored {
            println!("ignored, not declared: {ignored}");
        }
        for rejected in &self.rejected {
            println!("rejected by the schema: {rejected}");
        }
        for changed in &self.changed {
            println!("changed by the round trip: {changed}");
        }
        assert!(
            self.rejected.is_empty() && self.changed.is_empty(),
            "{} examples were rejected and {} changed (listed above)",
            self.rejected.len(),
            self.changed.len()
        );
    }
}

/// Where `encoded` differs from `example`, if it does. Numbers compare by
/// value, date-times as instants, and an absent property equals `null`
/// (an unset optional field is left out).
fn difference(example: &Value, encoded: &Value, at: &str) -> Option<String> {
    let same = match (example, encoded) {
        (Value::Number(a), Value::Number(b)) => {
            a == b || (a.as_f64().is_some() && a.as_f64() == b.as_f64())
        }
        (Value::String(a), Value::String(b)) => a == b || same_instant(a, b),
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!("`{at}` has {} items, not {}", b.len(), a.len()));
            }
            let mut items = a.iter().zip(b).enumerate();
            return items.find_map(|(i, (a, b))| difference(a, b, &format!("{at}/{i}")));
        }
        (Value::Object(a), Value::Object(b)) => {
            let keys = a.keys().chain(b.keys().filter(|key| !a.contains_key(*key)));
            for key in keys {
                let here = format!("{at}/{key}");
                let found = match (a.get(key), b.get(key)) {
                    (Some(a), Some(b)) => difference(a, b, &here),
                    (Some(Value::Null), None) | (None, Some(Value::Null)) => None,
                    (Some(a), None) => Some(format!("`{here}` ({a}) is lost")),
                    (None, Some(b)) => Some(format!("`{here}` ({b}) is added")),
                    (None, None) => None,
                };
                if found.is_some() {
                    return found;
                }
            }
            true
        }
        (a, b) => a == b,
    };
    (!same).then(|| format!("`{at}` is {encoded}, not {example}"))
}
