//! Where the MCP server of a tenant lives.

use crate::base_url::BaseUrl;
use crate::uri::encode;

/// The MCP endpoint of a tenant: `https://mcp.{env}.coherent.global/{tenant}/mcp` for
/// Spark hosts (the `mcp.` host label, as Coherent's MCP documentation and the Python
/// client's `McpUrl` give it), `{origin}/{tenant}/mcp` for any other host.
///
/// ```
/// # #[cfg(feature = "mcp")] {
/// use cspark::{BaseUrl, mcp::mcp_endpoint};
/// let spark = BaseUrl::parse("https://excel.uat.us.coherent.global/my-tenant", None)?;
/// assert_eq!(mcp_endpoint(&spark), "https://mcp.uat.us.coherent.global/my-tenant/mcp");
/// let local = BaseUrl::parse("http://127.0.0.1:8080/my-tenant", None)?;
/// assert_eq!(mcp_endpoint(&local), "http://127.0.0.1:8080/my-tenant/mcp");
/// # }
/// # Ok::<(), cspark::SparkError>(())
/// ```
pub fn mcp_endpoint(base: &BaseUrl) -> String {
    format!(
        "{}/{}/mcp",
        base.service_origin("mcp"),
        encode::segment(base.tenant())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_hosts_get_the_mcp_label_and_others_keep_their_origin() {
        let cases = [
            (
                "https://spark.uat.us.coherent.global/Acme",
                "https://mcp.uat.us.coherent.global/Acme/mcp",
            ),
            (
                "https://excel.sit.coherent.global/t/api/v3",
                "https://mcp.sit.coherent.global/t/mcp",
            ),
            (
                "http://127.0.0.1:9000/my-tenant",
                "http://127.0.0.1:9000/my-tenant/mcp",
            ),
            (
                "https://spark.example.com/t",
                "https://spark.example.com/t/mcp",
            ),
        ];
        for (base, want) in cases {
            let parsed = BaseUrl::parse(base, None).ok();
            assert_eq!(
                parsed.as_ref().map(mcp_endpoint).as_deref(),
                Some(want),
                "{base}"
            );
        }
    }
}
