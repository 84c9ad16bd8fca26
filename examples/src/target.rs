//! Where an example runs: a real tenant when `CSPARK_BASE_URL` is set, otherwise an emulator
//! started in this process with the bundled demo workbooks.

use cspark::{Auth, Client};
use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

/// A client plus the emulator it talks to, if the example started one.
pub struct Target {
    /// The SDK client.
    pub client: Client,
    /// The embedded emulator, when no tenant was configured.
    pub emulator: Option<EmulatorHandle>,
}

impl Target {
    /// Connects to `CSPARK_BASE_URL` with the `CSPARK_*` credentials, or starts the embedded
    /// emulator (with an API key of its own) when that variable is unset.
    pub async fn from_env() -> Result<Self, Box<dyn std::error::Error>> {
        if std::env::var_os(cspark::env::CSPARK_BASE_URL).is_some() {
            return Ok(Target {
                client: Client::from_env()?,
                emulator: None,
            });
        }
        let emulator = Emulator::start(EmulatorConfig::default().with_demo_workbooks()).await?;
        let client = Client::builder()
            .base_url(emulator.base_url())
            .auth(Auth::api_key("local-demo-key"))
            .build()?;
        Ok(Target {
            client,
            emulator: Some(emulator),
        })
    }

    /// Where the calls go, for display.
    pub fn describe(&self) -> String {
        match &self.emulator {
            Some(e) => format!("embedded emulator at {}", e.base_url()),
            None => format!("tenant {}", self.client.base_url().full()),
        }
    }

    /// Stops the embedded emulator, if any.
    pub async fn shutdown(self) {
        if let Some(e) = self.emulator {
            e.shutdown().await;
        }
    }
}
