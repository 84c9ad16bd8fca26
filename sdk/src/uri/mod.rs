//! The service URI locator: which service (and version) a call targets, and the URLs
//! of each endpoint family for it.
//!
//! # Grammar of the string form
//!
//! | form | meaning |
//! |---|---|
//! | `folder/service` | latest version of `service` in `folder` |
//! | `folder/service[1.2.3]` | that semantic version (sent as `request_meta.version`) |
//! | `folders/{f}/services/{s}[v]` | long form of the above |
//! | `service/{id}` or `service/{id}[1.2.3]` | by service id (latest, or that version) |
//! | `version/{id}` | by version id |
//! | `proxy/{path…}` | a custom proxy endpoint (the path may contain `/`) |
//! | `public/…` prefix | any of the above through the `/public` endpoints |
//!
//! Runs of `/` are collapsed and leading/trailing `/` ignored.
//!
//! # Fixes relative to the reference SDKs (`python-sdk.md` §3, §11; `ts-sdk.md` §4, §11)
//! - `folders/` and `services/` are recognised only as the long-form keywords at their
//!   positions, never stripped from inside names: `my-services/calc` is folder
//!   `my-services`, service `calc` (the references mangle it);
//! - names and ids are percent-encoded per segment, so `?`, `#`, `%` and `/` in a name can
//!   no longer turn part of the path into a query or fragment or a new segment: `f/s?x=1`
//!   is service `s?x=1` → `…/services/s%3Fx=1/execute`; a literal `my%20folder` is
//!   encoded as `my%2520folder` (the references send it unchanged);
//! - extra segments (`f/s/x`, `version/a/b`) and nested brackets (`a/b[1][2]`) are
//!   rejected instead of silently forming odd names;
//! - a `public/` prefix is understood in strings (the references can set `public` only
//!   from parameters);
//! - a locator combining several targets (folder+service with a version id, …) is
//!   rejected as ambiguous instead of picking by a priority that differs between
//!   encoding and URL building.

pub(crate) mod encode;

use std::fmt;

use crate::base_url::BaseUrl;
use crate::error::{Result, SparkError};

/// First segments that introduce a form other than `folder/service`.
const RESERVED: [&str; 5] = ["folders", "services", "version", "service", "proxy"];

/// What a [`ServiceUri`] points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Locator {
    /// A service by folder and name.
    FolderService {
        /// Folder name (plain, not encoded).
        folder: String,
        /// Service name (plain, not encoded).
        service: String,
    },
    /// A service by its id (latest version unless a version is given).
    ServiceId(String),
    /// An exact version by its id.
    VersionId(String),
    /// A custom proxy endpoint path (segments separated by `/`).
    Proxy(String),
}

/// A parsed service locator.
///
/// ```no_run
/// use cspark::ServiceUri;
/// let uri: ServiceUri = "my folder/my service[1.2.3]".parse()?;
/// assert_eq!(uri.version(), Some("1.2.3"));
/// assert_eq!(uri.to_string(), "my folder/my service[1.2.3]");
/// let base = cspark::BaseUrl::parse("https://excel.test.coherent.global/t", None)?;
/// assert_eq!(
///     uri.execute_url(&base),
///     "https://excel.test.coherent.global/t/api/v3/folders/my%20folder/services/my%20service/execute"
/// );
/// # Ok::<(), cspark::SparkError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceUri {
    locator: Locator,
    version: Option<String>,
    public: bool,
}

/// Optional parts, like the reference SDKs' `UriParams`, validated by
/// [`ServiceUri::from_parts`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct UriParts {
    /// Folder name.
    pub folder: Option<String>,
    /// Service name.
    pub service: Option<String>,
    /// Service id.
    pub service_id: Option<String>,
    /// Semantic version.
    pub version: Option<String>,
    /// Version id.
    pub version_id: Option<String>,
    /// Proxy path.
    pub proxy: Option<String>,
    /// Use the `/public` endpoints.
    pub public: bool,
}

fn invalid(input: &str, reason: &str) -> SparkError {
    SparkError::invalid(
        "service URI",
        input,
        format!(
            "{reason}; expected \"folder/service[version]\", \"service/{{id}}\", \"version/{{id}}\" or \"proxy/{{path}}\""
        ),
    )
}

fn check_name(input: &str, what: &str, value: &str) -> Result<String> {
    if value.trim().is_empty() {
        return Err(invalid(input, &format!("{what} is missing")));
    }
    if value.contains(['/', '[', ']']) {
        return Err(invalid(
            input,
            &format!("{what} {value:?} contains '/', '[' or ']'"),
        ));
    }
    Ok(value.to_owned())
}

impl ServiceUri {
    /// `folder/service`.
    pub fn new(folder: impl Into<String>, service: impl Into<String>) -> Result<Self> {
        let (folder, service) = (folder.into(), service.into());
        let input = format!("{folder}/{service}");
        Ok(Self::with_locator(Locator::FolderService {
            folder: check_name(&input, "folder name", &folder)?,
            service: check_name(&input, "service name", &service)?,
        }))
    }

    /// `service/{id}`.
    pub fn service_id(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        Ok(Self::with_locator(Locator::ServiceId(check_name(
            &id,
            "service id",
            &id,
        )?)))
    }

    /// `version/{id}`.
    pub fn version_id(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        Ok(Self::with_locator(Locator::VersionId(check_name(
            &id,
            "version id",
            &id,
        )?)))
    }

    /// `proxy/{path}`; slashes in `path` separate segments, empty segments are dropped.
    pub fn proxy(path: impl AsRef<str>) -> Result<Self> {
        let path = path.as_ref();
        let clean: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if clean.is_empty() {
            return Err(invalid(path, "proxy path is missing"));
        }
        Ok(Self::with_locator(Locator::Proxy(clean.join("/"))))
    }

    fn with_locator(locator: Locator) -> Self {
        Self {
            locator,
            version: None,
            public: false,
        }
    }

    /// Pins a semantic version (not allowed with a version id or a proxy).
    pub fn with_version(mut self, version: impl Into<String>) -> Result<Self> {
        let version = version.into();
        if matches!(self.locator, Locator::VersionId(_) | Locator::Proxy(_)) {
            return Err(invalid(
                &self.to_string(),
                "a version cannot be combined with a version id or proxy",
            ));
        }
        self.version = Some(check_name(&version, "version", &version)?);
        Ok(self)
    }

    /// Switches to the `/public` endpoints.
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// Validates optional parts: exactly one target among folder+service, service id,
    /// version id and proxy.
    pub fn from_parts(parts: &UriParts) -> Result<Self> {
        let shown = format!("{parts:?}");
        let mut targets = 0;
        targets += usize::from(parts.folder.is_some() || parts.service.is_some());
        targets += usize::from(parts.service_id.is_some());
        targets += usize::from(parts.version_id.is_some());
        targets += usize::from(parts.proxy.is_some());
        if targets > 1 {
            return Err(invalid(
                &shown,
                "ambiguous locator: give only one of folder/service, service_id, version_id, proxy",
            ));
        }
        let uri = match (
            &parts.folder,
            &parts.service,
            &parts.service_id,
            &parts.version_id,
            &parts.proxy,
        ) {
            (Some(f), Some(s), ..) => Self::new(f, s)?,
            (Some(_), None, ..) => return Err(invalid(&shown, "service name is missing")),
            (None, Some(_), ..) => return Err(invalid(&shown, "folder name is missing")),
            (_, _, Some(id), ..) => Self::service_id(id)?,
            (_, _, _, Some(id), _) => Self::version_id(id)?,
            (_, _, _, _, Some(p)) => Self::proxy(p)?,
            _ => return Err(invalid(&shown, "service uri locator is required")),
        };
        let uri = match &parts.version {
            Some(v) => uri.with_version(v)?,
            None => uri,
        };
        Ok(if parts.public { uri.public() } else { uri })
    }

    /// Parses the string form (see the module docs).
    pub fn parse(input: &str) -> Result<Self> {
        let segments: Vec<&str> = input.split('/').filter(|s| !s.is_empty()).collect();
        let (public, segments) = match segments.as_slice() {
            ["public", rest @ ..] if rest.len() >= 2 => (true, rest),
            all => (false, all),
        };
        let uri = match segments {
            ["proxy", rest @ ..] if !rest.is_empty() => Self::proxy(rest.join("/"))?,
            ["version", id] => {
                if id.contains(['[', ']']) {
                    return Err(invalid(input, "a version id takes no [version]"));
                }
                Self::version_id(*id)?
            }
            ["service", id] => {
                let (id, version) = split_version(input, id)?;
                let uri = Self::service_id(id)?;
                match version {
                    Some(v) => uri.with_version(v)?,
                    None => uri,
                }
            }
            ["folders", folder, "services", service] | [folder, service]
                if !RESERVED.contains(folder) || segments.len() == 4 =>
            {
                let (service, version) = split_version(input, service)?;
                let uri = Self::new(*folder, service)?;
                match version {
                    Some(v) => uri.with_version(v)?,
                    None => uri,
                }
            }
            _ => return Err(invalid(input, "service uri locator is required")),
        };
        Ok(if public { uri.public() } else { uri })
    }

    /// The target.
    pub fn locator(&self) -> &Locator {
        &self.locator
    }

    /// The pinned semantic version, if any.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether the `/public` endpoints are used.
    pub fn is_public(&self) -> bool {
        self.public
    }

    /// Folder name, for folder/service locators.
    pub fn folder(&self) -> Option<&str> {
        match &self.locator {
            Locator::FolderService { folder, .. } => Some(folder),
            _ => None,
        }
    }

    /// Service name, for folder/service locators.
    pub fn service(&self) -> Option<&str> {
        match &self.locator {
            Locator::FolderService { service, .. } => Some(service),
            _ => None,
        }
    }

    /// Service id, for `service/{id}` locators.
    pub fn service_id_value(&self) -> Option<&str> {
        match &self.locator {
            Locator::ServiceId(id) => Some(id),
            _ => None,
        }
    }

    /// Version id, for `version/{id}` locators.
    pub fn version_id_value(&self) -> Option<&str> {
        match &self.locator {
            Locator::VersionId(id) => Some(id),
            _ => None,
        }
    }

    /// Proxy path, for `proxy/…` locators.
    pub fn proxy_path(&self) -> Option<&str> {
        match &self.locator {
            Locator::Proxy(p) => Some(p),
            _ => None,
        }
    }

    /// Long form: `folders/{f}/services/{s}[v]`; other locators as in [`Display`](fmt::Display).
    pub fn to_long_string(&self) -> String {
        match &self.locator {
            Locator::FolderService { folder, service } => {
                format!("folders/{folder}/services/{service}{}", self.bracket())
            }
            _ => self.to_string(),
        }
    }

    fn bracket(&self) -> String {
        self.version
            .as_ref()
            .map(|v| format!("[{v}]"))
            .unwrap_or_default()
    }

    /// Locator path segments (`folders/f/services/s`, `service/id`, …), unencoded.
    fn locator_segments(&self) -> Vec<&str> {
        match &self.locator {
            Locator::FolderService { folder, service } => {
                vec!["folders", folder, "services", service]
            }
            Locator::ServiceId(id) => vec!["service", id],
            Locator::VersionId(id) => vec!["version", id],
            Locator::Proxy(p) => std::iter::once("proxy").chain(p.split('/')).collect(),
        }
    }

    /// Generic URL: `{BT}/{api}[/public]/{locator}[/{endpoint}]`; a proxy takes no
    /// endpoint suffix (as in the reference SDKs).
    pub fn url(&self, base: &BaseUrl, api: &str, endpoint: Option<&str>) -> String {
        let mut segs: Vec<&str> = api.split('/').filter(|s| !s.is_empty()).collect();
        if self.public {
            segs.push("public");
        }
        segs.extend(self.locator_segments());
        if let (Some(ep), false) = (endpoint, matches!(self.locator, Locator::Proxy(_))) {
            segs.extend(ep.split('/').filter(|s| !s.is_empty()));
        }
        base.tenant_url(&segs)
    }

    /// v3 single execute: `…/api/v3[/public]/folders/{f}/services/{s}/execute`; by
    /// service id, version id or proxy, the locator path itself (no `/execute`).
    pub fn execute_url(&self, base: &BaseUrl) -> String {
        let endpoint = matches!(self.locator, Locator::FolderService { .. }).then_some("execute");
        self.url(base, "api/v3", endpoint)
    }

    /// `…/api/v3[/public]/{locator}/metadata` (a proxy gives the proxy URL itself).
    pub fn metadata_url(&self, base: &BaseUrl) -> String {
        self.url(base, "api/v3", Some("metadata"))
    }

    /// `…/api/v3[/public]/{locator}/validation`.
    pub fn validation_url(&self, base: &BaseUrl) -> String {
        self.url(base, "api/v3", Some("validation"))
    }

    /// WASM bundle: `…/api/v3/nodegen[/public]/getnodegenzipbyId/{locator}[version]`;
    /// for folder/service locators the version follows the encoded service name in
    /// literal brackets (as the reference SDKs send it).
    pub fn wasm_url(&self, base: &BaseUrl) -> String {
        let mut segs = vec!["api", "v3", "nodegen"];
        if self.public {
            segs.push("public");
        }
        segs.push("getnodegenzipbyId");
        let mut url = base.tenant_url(&segs);
        for s in self.locator_segments() {
            url.push('/');
            url.push_str(&encode::segment(s));
        }
        if let (Some(v), Locator::FolderService { .. }) = (&self.version, &self.locator) {
            url.push('[');
            url.push_str(&encode::segment(v));
            url.push(']');
        }
        url
    }

    /// Swagger file (folder/service only):
    /// `…/api/v3/folders/{f}/services/{s}/downloadswagger/{category}/{True|False}/{version_id}`.
    pub fn swagger_url(
        &self,
        base: &BaseUrl,
        category: Option<&str>,
        downloadable: bool,
        version_id: Option<&str>,
    ) -> Result<String> {
        let (Some(folder), Some(service)) = (self.folder(), self.service()) else {
            return Err(invalid(
                &self.to_string(),
                "swagger needs a folder/service locator",
            ));
        };
        let flag = if downloadable { "True" } else { "False" };
        let cat = category.unwrap_or("All");
        let mut url = base.tenant_url(&[
            "api",
            "v3",
            "folders",
            folder,
            "services",
            service,
            "downloadswagger",
            cat,
            flag,
        ]);
        url.push('/');
        url.push_str(&encode::segment(version_id.unwrap_or("")));
        Ok(url)
    }

    /// v1 schema by folder/service: `{B}/api/v1/product/{f}/engines/get/{s}`.
    pub fn schema_url(&self, base: &BaseUrl) -> Result<String> {
        let (Some(folder), Some(service)) = (self.folder(), self.service()) else {
            return Err(invalid(
                &self.to_string(),
                "the v1 schema API needs a folder/service locator",
            ));
        };
        Ok(base.origin_url(&["api", "v1", "product", folder, "engines", "get", service]))
    }

    /// v1 versions: `{B}/api/v1/product/{f}/engines/getversions/{s}`.
    pub fn versions_url(&self, base: &BaseUrl) -> Result<String> {
        let (Some(folder), Some(service)) = (self.folder(), self.service()) else {
            return Err(invalid(
                &self.to_string(),
                "the v1 versions API needs a folder/service locator",
            ));
        };
        Ok(base.origin_url(&[
            "api",
            "v1",
            "product",
            folder,
            "engines",
            "getversions",
            service,
        ]))
    }

    /// The v4 body's `service` value: the service id, or `folder/service[version]`;
    /// `None` for version ids and proxies (the v4 body uses `version_id` for the former).
    pub fn v4_service(&self) -> Option<String> {
        match &self.locator {
            Locator::ServiceId(id) => Some(id.clone()),
            Locator::FolderService { folder, service } => {
                Some(format!("{folder}/{service}{}", self.bracket()))
            }
            _ => None,
        }
    }
}

/// `{BT}/api/v4[/public]/execute`.
pub fn v4_execute_url(base: &BaseUrl, public: bool) -> String {
    if public {
        base.tenant_url(&["api", "v4", "public", "execute"])
    } else {
        base.tenant_url(&["api", "v4", "execute"])
    }
}

fn split_version<'a>(input: &str, segment: &'a str) -> Result<(&'a str, Option<&'a str>)> {
    let Some(open) = segment.find('[') else {
        if segment.contains(']') {
            return Err(invalid(input, "unbalanced ']'"));
        }
        return Ok((segment, None));
    };
    let (name, rest) = segment.split_at(open);
    let inner = rest
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .ok_or_else(|| invalid(input, "a [version] must close the locator"))?;
    if inner.contains(['[', ']']) {
        return Err(invalid(input, "nested brackets in [version]"));
    }
    Ok((name, Some(inner).filter(|v| !v.trim().is_empty())))
}

impl fmt::Display for ServiceUri {
    /// Short form: `folder/service[v]`, `service/{id}[v]`, `version/{id}`, `proxy/{path}`,
    /// with a `public/` prefix for public locators.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.public {
            f.write_str("public/")?;
        }
        match &self.locator {
            // A folder named like a keyword would read as another form: use the long form.
            Locator::FolderService { folder, service } if RESERVED.contains(&folder.as_str()) => {
                write!(f, "folders/{folder}/services/{service}")?
            }
            Locator::FolderService { folder, service } => write!(f, "{folder}/{service}")?,
            Locator::ServiceId(id) => write!(f, "service/{id}")?,
            Locator::VersionId(id) => write!(f, "version/{id}")?,
            Locator::Proxy(p) => write!(f, "proxy/{p}")?,
        }
        f.write_str(&self.bracket())
    }
}

impl std::str::FromStr for ServiceUri {
    type Err = SparkError;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for ServiceUri {
    type Error = SparkError;

    fn try_from(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<&ServiceUri> for ServiceUri {
    type Error = SparkError;

    fn try_from(s: &ServiceUri) -> Result<Self> {
        Ok(s.clone())
    }
}
