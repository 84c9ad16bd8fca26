//! The seam between the HTTP half and the calculation engine.
//!
//! Routes never name the workbook type directly: they hold an `Arc<dyn Engine>`, so other
//! engines (WASM bundles, synthetic services in tests) can be published the same way.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::workbook::{Evaluation, Field};

/// A compiled service that can be evaluated many times, concurrently.
pub trait Engine: Send + Sync + 'static {
    /// The input fields (`Xinput_*`), in workbook order.
    fn inputs(&self) -> &[Field];
    /// The output fields (`Xoutput_*`), in workbook order.
    fn outputs(&self) -> &[Field];
    /// Evaluate with the given inputs; `requested_outputs` restricts the outputs computed.
    fn evaluate(
        &self,
        inputs: &Map<String, Value>,
        requested_outputs: Option<&[String]>,
    ) -> Evaluation;
    /// The service's workbook with `inputs` written into its input cells, as `.xlsx` bytes
    /// (rehydrating a call). Engines without a workbook answer `Err` with the reason.
    fn workbook_with_inputs(&self, _inputs: &Map<String, Value>) -> Result<Vec<u8>, String> {
        Err("this service has no workbook to rehydrate".into())
    }
    /// Remarks about the service found when it was loaded (cells using functions the
    /// engine does not implement), reported in the upload's `warnings`.
    fn load_warnings(&self) -> &[crate::workbook::Warning] {
        &[]
    }
}

/// Parse `.xlsx` bytes into an engine; the error is a human-readable reason.
pub fn load_xlsx(bytes: &[u8], file_name: &str) -> Result<Arc<dyn Engine>, String> {
    // Hostile packages (zip bombs, deep XML, millions of cells) stop here.
    crate::xlsx_guard::check(bytes)?;
    imp::load(bytes, file_name)
}

mod imp {
    use super::*;
    use crate::workbook::Workbook;

    impl Engine for Workbook {
        fn inputs(&self) -> &[Field] {
            Workbook::inputs(self)
        }
        fn outputs(&self) -> &[Field] {
            Workbook::outputs(self)
        }
        fn evaluate(
            &self,
            inputs: &Map<String, Value>,
            requested_outputs: Option<&[String]>,
        ) -> Evaluation {
            Workbook::evaluate(self, inputs, requested_outputs)
        }
        fn workbook_with_inputs(&self, inputs: &Map<String, Value>) -> Result<Vec<u8>, String> {
            self.with_inputs_xlsx(inputs)
        }
        fn load_warnings(&self) -> &[crate::workbook::Warning] {
            Workbook::load_warnings(self)
        }
    }

    pub(super) fn load(bytes: &[u8], file_name: &str) -> Result<Arc<dyn Engine>, String> {
        Workbook::from_xlsx(bytes, file_name)
            .map(|w| Arc::new(w) as Arc<dyn Engine>)
            .map_err(|e| e.to_string())
    }
}
