//! Every typed answer decodes the shapes Spark sends (fixtures in `tests/data/answers/`,
//! written for this project in the shapes of real Spark documents), keeps the fields Spark
//! adds later in `extra`, and reads absent and `null` fields alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cspark::types::{
    CompilationStatusResponse, PublishResponse, RecompileResponse, UploadResponse,
};
use cspark::types::{
    MetadataResponse, SearchResponse, ServiceSchema, ServiceSwagger, V1Response, ValidationResponse,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/answers/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn decode<T: DeserializeOwned>(value: &Value) -> T {
    T::deserialize(value).unwrap_or_else(|e| panic!("{e}: {value}"))
}

/// The typed form, written back, loses nothing the document said (null-valued keys aside,
/// which the typed form writes as absent).
fn assert_lossless<T: DeserializeOwned + serde::Serialize>(raw: &Value) {
    fn strip_nulls(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), strip_nulls(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip_nulls).collect()),
            other => other.clone(),
        }
    }
    let typed: T = decode(raw);
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(strip_nulls(&back), strip_nulls(raw));
}

#[test]
fn service_schema_decodes_with_cells_summary_and_extras() {
    let raw = fixture("service-schema.json");
    let schema: ServiceSchema = decode(&raw);
    let summary = schema.book_summary.as_ref().unwrap();
    assert_eq!(summary.book_revision.as_deref(), Some("1.3.0"));
    assert_eq!(summary.docstore_size, Some(4096));
    assert!(summary.book_file_name.is_none(), "null reads as None");
    assert!(summary.extra.contains_key("compiledOutputHash"));
    let inputs = schema.xl_inputs.as_deref().unwrap();
    let names: Vec<_> = inputs.iter().filter_map(|c| c.name.as_deref()).collect();
    assert_eq!(names, ["principal", "frequency"]);
    assert_eq!(inputs[0].address.as_deref(), Some("B4"));
    assert_eq!(inputs[0].value, Some(json!(250000)));
    assert_eq!(inputs[0].extra["sheetIndex"], 1);
    assert!(inputs[1].validation.is_some());
    assert_eq!(
        schema.x_output.as_ref().unwrap()[0].data_type.as_deref(),
        Some("NUMBER")
    );
    assert_eq!(
        schema.engine_id.as_deref(),
        Some("7d3c1a52-0000-4000-8000-000000000003")
    );
    assert_eq!(
        schema.book_properties.as_ref().unwrap()[0].name.as_deref(),
        Some("PublicAPI")
    );
    assert_eq!(schema.engine_infos.as_ref().unwrap().len(), 1);
    assert!(schema.engine_errors.is_none());
    // Keys the type does not name are kept as sent.
    assert_eq!(schema.extra["totalUsedRowsAndCells"], 20);
    assert_eq!(schema.extra["xParameter"], json!({}));
    assert_lossless::<ServiceSchema>(&raw);
}

#[test]
fn swagger_decodes_and_keeps_paths() {
    let raw = fixture("service-swagger.json");
    let doc: ServiceSwagger = decode(&raw);
    assert_eq!(doc.swagger.as_deref(), Some("2.0"));
    assert_eq!(
        doc.info.as_ref().unwrap().title.as_deref(),
        Some("loan-calc")
    );
    assert_eq!(doc.schemes.as_deref(), Some(&["https".to_owned()][..]));
    let paths = doc.paths.as_ref().unwrap();
    assert!(paths.contains_key("/{tenant}/api/v3/folders/{product}/services/{engine}/execute"));
    assert_lossless::<ServiceSwagger>(&raw);
}

#[test]
fn metadata_and_validation_decode() {
    let raw = fixture("metadata.json");
    let meta: MetadataResponse = decode(&raw);
    let outputs = meta
        .response_data
        .as_ref()
        .unwrap()
        .outputs
        .as_ref()
        .unwrap();
    assert_eq!(outputs["Metadata.Count"], 3);
    assert_eq!(
        meta.response_meta
            .as_ref()
            .unwrap()
            .compiler_type
            .as_deref(),
        Some("Type3")
    );
    assert_lossless::<MetadataResponse>(&raw);

    let raw = fixture("validation.json");
    let rules: ValidationResponse = decode(&raw);
    let outputs = rules
        .response_data
        .as_ref()
        .unwrap()
        .outputs
        .as_ref()
        .unwrap();
    assert_eq!(
        outputs["frequency"].validation_type,
        Some(cspark::types::ValidationKind::Static)
    );
    assert_eq!(
        outputs["frequency"].dependent_inputs.as_deref(),
        Some(&["term".to_owned()][..])
    );
    assert_eq!(outputs["term"].options.as_ref().unwrap().len(), 3);
    assert!(outputs["term"].min.is_none());
    assert_lossless::<ValidationResponse>(&raw);
}

#[test]
fn search_and_v1_envelope_decode() {
    let raw = fixture("search.json");
    let found: SearchResponse = decode(&raw);
    let items = found.response_data.as_deref().unwrap();
    assert_eq!(items[0].folder_name.as_deref(), Some("lending"));
    assert_eq!(items[1].service_name.as_deref(), Some("apr"));
    assert!(items[1].modified_date.is_none());
    let page = found.response_meta.as_ref().unwrap();
    assert_eq!((page.count, page.page_total), (Some(2), Some(1)));
    assert_lossless::<SearchResponse>(&raw);

    let deleted: V1Response =
        decode(&json!({"status": "Success", "data": null, "message": null, "errorCode": null}));
    assert_eq!(deleted.status.as_deref(), Some("Success"));
}

#[test]
fn unknown_fields_are_kept_and_absent_or_null_read_alike() {
    let later = json!({
        "status": "Success",
        "response_data": [{"id": "s-9", "folderName": "f", "riskTier": "B", "owners": ["x"]}],
        "response_meta": {"count": 1, "cursor": "abc"},
        "trace_id": "t-1"
    });
    let found: SearchResponse = decode(&later);
    assert_eq!(found.extra["trace_id"], "t-1");
    let item = &found.response_data.as_ref().unwrap()[0];
    assert_eq!(item.extra["riskTier"], "B");
    assert_eq!(item.extra["owners"], json!(["x"]));
    assert_eq!(found.response_meta.as_ref().unwrap().extra["cursor"], "abc");

    // Every field absent, then every field null: both decode to the same empty answer.
    for empty in [
        json!({}),
        json!({"status": null, "response_data": null, "response_meta": null, "error": null}),
    ] {
        let found: SearchResponse = decode(&empty);
        assert!(found.response_data.is_none() && found.response_meta.is_none());
        let schema: ServiceSchema = decode(&json!({"xlInputs": null, "bookSummary": null}));
        assert!(schema.xl_inputs.is_none() && schema.book_summary.is_none());
    }
}

#[test]
fn lifecycle_answers_decode() {
    let raw = fixture("upload.json");
    let upload: UploadResponse = decode(&raw);
    let data = upload.response_data.as_ref().unwrap();
    assert_eq!(data.nodegen_compilation_jobid.as_deref(), Some("job-41"));
    assert_eq!(data.hours_saved, Some(0.5));
    assert_eq!(
        upload.response_meta.as_ref().unwrap().process_time,
        Some(830)
    );
    assert_lossless::<UploadResponse>(&raw);

    let raw = fixture("compilation.json");
    let status: CompilationStatusResponse = decode(&raw);
    let progress = status.response_data.as_ref().unwrap();
    assert_eq!(
        (progress.progress, progress.status.as_deref()),
        (Some(100), Some("Success"))
    );
    assert_eq!(
        progress.last_error_message.as_deref(),
        Some("null"),
        "the string, as Spark sends it"
    );
    assert_lossless::<CompilationStatusResponse>(&raw);

    let published: PublishResponse = decode(
        &json!({"status": "Success", "response_data": {"version_id": "v-3"}, "response_meta": {}, "error": null}),
    );
    assert_eq!(
        published.response_data.unwrap().version_id.as_deref(),
        Some("v-3")
    );
    let recompiled: RecompileResponse = decode(&json!({"status": "Success",
        "response_data": {"versionId": "v-3", "revision": "0.2.0", "jobId": "job-42", "queuedAt": 5}}));
    let job = recompiled.response_data.unwrap();
    assert_eq!(
        (job.job_id.as_deref(), job.revision.as_deref()),
        (Some("job-42"), Some("0.2.0"))
    );
    assert_eq!(job.extra["queuedAt"], 5);
}

#[test]
fn folder_answers_decode() {
    use cspark::types::{CategoriesResponse, FolderListResponse, FolderResponse};
    let raw = fixture("folder.json");
    let folder: FolderResponse = decode(&raw);
    let info = folder.data.as_ref().unwrap();
    assert_eq!(info.name.as_deref(), Some("lending"));
    assert_eq!(info.total_service_count, Some(2));
    assert!(info.cover_image_path.is_none());
    assert_eq!(info.calculation_engines.as_ref().unwrap()["next"], "False");
    assert_lossless::<FolderResponse>(&raw);

    let raw = fixture("folder-list.json");
    let page: FolderListResponse = decode(&raw);
    assert_eq!(page.count, Some(2));
    let items = page.data.as_deref().unwrap();
    assert_eq!(items[0].is_starred, Some(true));
    assert_eq!(items[1].extra["ownerTeam"], "ops");
    assert_lossless::<FolderListResponse>(&raw);

    let cats: CategoriesResponse = decode(
        &json!({"status": "Success", "message": null, "errorCode": null,
        "data": [{"key": "Term", "value": "Term", "icon": "term.svg"}, {"key": "Other", "value": "Other", "icon": null}]}),
    );
    let cats = cats.data.unwrap();
    assert_eq!(cats[0].icon.as_deref(), Some("term.svg"));
    assert!(cats[1].icon.is_none());
}

#[test]
fn history_answers_decode() {
    use cspark::types::{CallHistoryPage, DetailedLog, DownloadUrlResponse, JobResponse};
    let raw = fixture("detailed-log.json");
    let log: DetailedLog = decode(&raw);
    assert_eq!(log.engine_call_id.as_deref(), Some("c-77"));
    assert_eq!((log.calc_time, log.spark_total_time), (Some(9), Some(31)));
    assert_eq!(log.api_version.as_deref(), Some("V3"));
    assert_eq!(
        log.engine_details.as_ref().unwrap()["request_data"]["inputs"]["principal"],
        250000
    );
    assert_lossless::<DetailedLog>(&raw);

    let raw = fixture("call-history.json");
    let page: CallHistoryPage = decode(&raw);
    let call = &page.data.as_ref().unwrap()[0];
    assert_eq!(call.calc_time.as_deref(), Some("9"));
    assert_eq!(call.is_batch_call, Some(false));
    assert_lossless::<CallHistoryPage>(&raw);

    let job: JobResponse = decode(&json!({"response_data": {"job_id": "lj-1"}}));
    assert_eq!(job.response_data.unwrap().job_id.as_deref(), Some("lj-1"));
    let status: DownloadUrlResponse =
        decode(&json!({"response_data": {"progress": 40, "download_url": null}}));
    let link = status.response_data.unwrap();
    assert_eq!((link.progress, link.download_url), (Some(40), None));
}

#[test]
fn impex_answers_decode_with_an_open_status() {
    use cspark::types::{ImpexDescription, ImpexJobStatus, ImpexResult};
    let raw = fixture("import-status.json");
    let done: ImpexResult = decode(&raw);
    assert_eq!(done.status, Some(ImpexJobStatus::Closed));
    let outputs = done.outputs.as_ref().unwrap();
    assert_eq!(outputs.services.as_ref().unwrap()[0]["status"], "added");
    assert_eq!(
        outputs.service_versions.as_ref().unwrap()[0]["version_id_destination"],
        "v-9"
    );
    assert_lossless::<ImpexResult>(&raw);

    let export: ImpexResult = decode(
        &json!({"id": "xj-1", "object": "export", "status": "completed",
        "outputs": {"files": [{"file": "https://files.test/x.zip", "file_hash": "h1"}], "services": []}}),
    );
    assert_eq!(export.status, Some(ImpexJobStatus::Completed));
    let files = export.outputs.unwrap().files.unwrap();
    assert_eq!(files[0].file_hash.as_deref(), Some("h1"));

    // A state this version does not list decodes, compares and writes back unchanged.
    let queued: ImpexResult = decode(&json!({"id": "xj-2", "status": "queued_for_review"}));
    assert_eq!(
        queued.status,
        Some(ImpexJobStatus::Other("queued_for_review".into()))
    );
    assert_eq!(
        serde_json::to_value(&queued).unwrap()["status"],
        "queued_for_review"
    );
    assert_eq!(
        ImpexJobStatus::from("in_progress"),
        ImpexJobStatus::InProgress
    );
    assert_eq!(ImpexJobStatus::Cancelled.to_string(), "cancelled");

    let raw = fixture("export-describe.json");
    let described: ImpexDescription = decode(&raw);
    let recent = described.recent_exports.as_ref().unwrap();
    assert_eq!(recent[0].data.as_ref().unwrap()["export_status"], "closed");
    assert_eq!(
        described.tenant.as_ref().unwrap()["configuration"]["export_api_job_limit"],
        2
    );
    assert_lossless::<ImpexDescription>(&raw);
}

#[test]
fn validation_kind_is_open() {
    use cspark::types::{InputValidation, ValidationKind};
    let rule: InputValidation = decode(&json!({"validation_type": "dynamic"}));
    assert_eq!(rule.validation_type, Some(ValidationKind::Dynamic));
    let rule: InputValidation =
        decode(&json!({"validation_type": "conditional", "validation_allow": "Decimal"}));
    assert_eq!(
        rule.validation_type,
        Some(ValidationKind::Other("conditional".into()))
    );
    assert_eq!(rule.validation_type.unwrap().as_str(), "conditional");
}

#[test]
fn transform_config_and_health_answers_decode() {
    use cspark::types::HealthStatus;
    use cspark::types::PlatformConfigResponse;
    use cspark::types::{TransformListResponse, TransformResponse};
    let saved: TransformResponse = decode(
        &json!({"object": "transform", "response_timestamp": "2025-02-14T10:00:00.000Z",
        "process_time": 3, "id": "t-1", "status": "Success", "outputs": {"name": "wrap", "transform_uri": "tf/wrap"}}),
    );
    let outputs = saved.outputs.unwrap();
    assert_eq!(outputs.transform_uri.as_deref(), Some("tf/wrap"));
    let verdict: TransformResponse = decode(&json!({"outputs": {"isValid": false,
        "error": [{"code": "E1", "type": "syntax", "message": "unexpected token"}]}}));
    let outputs = verdict.outputs.unwrap();
    assert_eq!(outputs.is_valid, Some(false));
    assert_eq!(outputs.error.unwrap()[0]["code"], "E1");
    let list: TransformListResponse = decode(
        &json!({"count": 1, "page": 1, "pageSize": 100, "result": [
        {"id": "t-1", "name": "wrap", "transform_type": "JSONtransforms_v1.0.1", "createdAt": "2025-02-14T10:00:00Z",
         "createdBy": "ana@example.test", "updatedAt": "2025-02-14T10:00:00Z", "modifiedBy": "ana@example.test", "size": 120}]}),
    );
    let doc = &list.result.as_ref().unwrap()[0];
    assert_eq!(doc.transform_type.as_deref(), Some("JSONtransforms_v1.0.1"));
    assert_eq!(doc.extra["size"], 120);

    let raw = fixture("spark-config.json");
    let config: PlatformConfigResponse = decode(&raw);
    let data = config.data.as_ref().unwrap();
    assert_eq!(
        data.compiler_version_neuron_stable_latest.as_deref(),
        Some("Neuron_v1.20.1")
    );
    assert_eq!(
        data.transforms_list.as_deref(),
        Some("JSONtransforms_v1.0.1,Nodejs22_v1.0.0")
    );
    // Settings that are not strings (objects, booleans, nulls) decode too, into `extra`.
    assert_eq!(data.extra["IsPrivateSharingTenant"], false);
    assert_eq!(data.extra["Tags"], json!({}));
    assert_lossless::<PlatformConfigResponse>(&raw);

    let up: HealthStatus = decode(&json!({"status": "up", "checks": []}));
    assert!(up.is_up());
    assert_eq!(up.extra["checks"], json!([]));
    let unknown: HealthStatus = decode(&json!({}));
    assert!(!unknown.is_up());
}

#[test]
fn batch_overview_decodes_with_open_states() {
    use cspark::types::{BatchDescribeResponse, BatchPipelineStatus, BatchState};
    let raw = json!({"in_progress_batches": [],
        "recent_batches": [{"object": "batch", "id": "b-1", "data": {"pipeline_status": "closed",
            "summary": {"records_submitted": 10, "records_failed": 0, "records_completed": 10, "compute_time_ms": 40, "batch_time_ms": 900},
            "response_timestamp": "2025-02-14T10:00:00.000Z", "batch_status": "completed_by_timeout",
            "created_by": "ana@example.test", "created_timestamp": "2025-02-14T09:59:00.000Z",
            "updated_timestamp": "2025-02-14T10:00:00.000Z", "service_uri": "lending/loan-calc[1.3.0]"}},
          {"object": "batch", "id": "b-2", "data": {"batch_status": "paused", "pipeline_status": "draining"}}],
        "tenant": {"configuration": {"max_workers": 100}, "status": {"workers_in_use": 0}},
        "environment": {"update": 123}});
    let overview: BatchDescribeResponse = decode(&raw);
    let recent = overview.recent_batches.as_deref().unwrap();
    let first = recent[0].data.as_ref().unwrap();
    assert_eq!(first.batch_status, Some(BatchState::CompletedByTimeout));
    assert_eq!(first.pipeline_status, Some(BatchPipelineStatus::Closed));
    assert_eq!(first.summary.as_ref().unwrap()["records_completed"], 10);
    let second = recent[1].data.as_ref().unwrap();
    assert_eq!(
        second.batch_status,
        Some(BatchState::Other("paused".into()))
    );
    assert_eq!(
        second.pipeline_status,
        Some(BatchPipelineStatus::Other("draining".into()))
    );
    assert_lossless::<BatchDescribeResponse>(&raw);
}

#[test]
fn runner_answers_decode_keep_extras_and_read_absent_or_null_alike() {
    use cspark::types::{RunnerHealth, RunnerStatus, RunnerUploadResponse, RunnerVersion};

    let raw = fixture("runner-version.json");
    let version: RunnerVersion = decode(&raw);
    assert_eq!(version.version.as_deref(), Some("1.44.3"));
    assert_eq!(version.filehash.as_deref(), Some("9c1e04ab77d2"));
    assert!(version.last_pull_date.is_some());
    assert_eq!(version.extra["buildChannel"], "stable");
    assert_lossless::<RunnerVersion>(&raw);
    // Before the first pull a runner sends nulls; an older one may leave the keys out.
    for bare in [
        json!({"lastPullDate": null, "filehash": null, "version": "1.31.2"}),
        json!({"version": "1.31.2"}),
    ] {
        let v: RunnerVersion = decode(&bare);
        assert_eq!((v.last_pull_date, v.filehash), (None, None), "{bare}");
        assert!(v.extra.is_empty(), "{bare}");
    }

    let health: RunnerHealth = decode(&json!({"msg": "ok", "uptime": 12}));
    assert_eq!(health.msg.as_deref(), Some("ok"));
    assert_eq!(health.extra["uptime"], 12);
    let empty: RunnerHealth = decode(&json!({}));
    assert_eq!(empty.msg, None);

    let raw = fixture("runner-status.json");
    let status: RunnerStatus = decode(&raw);
    assert_eq!(status.memory_usage_mb, Some(412.25));
    assert_eq!(status.memory_limit_mb, Some(2048.0));
    assert_eq!(status.extra["node_version"], "v20.11.1");
    let tenant = &status.models.as_deref().unwrap()[0];
    assert_eq!(tenant.tenant.as_deref(), Some("acme-insure"));
    assert_eq!(
        (tenant.total_model, tenant.total_instances),
        (Some(2), Some(5))
    );
    let stats = tenant.model_stats.as_deref().unwrap();
    let busy = &stats[0];
    assert_eq!(busy.busy, Some(true));
    assert_eq!(busy.mean_time_ms, Some(11.75));
    assert_eq!(
        busy.max_time_ms,
        Some(118.0),
        "an integer reads into a float time"
    );
    assert_eq!(busy.completed_count, Some(1284));
    assert_eq!(busy.timeout_count, None, "null reads as None");
    let threads = busy.thread_stats.as_ref().unwrap();
    assert_eq!((threads.threads, threads.busy_threads), (Some(4), Some(1)));
    assert_eq!(threads.extra["queued"], 2);
    let sparse = &stats[1];
    assert_eq!(sparse.busy, None, "null reads as None");
    assert!(
        sparse.thread_stats.is_none() && sparse.size.is_none(),
        "absent reads as None"
    );
    // Times and memory are floats: `118` comes back as `118.0`, the same number.
    fn numbers_as_floats(v: &Value) -> Value {
        match v {
            Value::Number(n) => json!(n.as_f64()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), numbers_as_floats(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(numbers_as_floats).collect()),
            other => other.clone(),
        }
    }
    let back = serde_json::to_value(&status).unwrap();
    assert_eq!(numbers_as_floats(&back), numbers_as_floats(&raw));
    // A runner older than 1.46 has no model list yet.
    let old: RunnerStatus = decode(&json!({"models": null}));
    assert!(old.models.is_none());

    let raw = fixture("runner-upload.json");
    let uploaded: RunnerUploadResponse = decode(&raw);
    let loaded = &uploaded.response_data.as_deref().unwrap()[0];
    assert_eq!(loaded.tenant.as_deref(), Some("acme-insure"));
    let service = &loaded.services.as_deref().unwrap()[0];
    assert_eq!(
        service.version_id.as_deref(),
        Some("5d3f0b8e-61a2-4c57-9e0b-2f7a1c9d4e66")
    );
    assert_eq!(service.has_signature_chain, None);
    let engine = service.engine_information.as_ref().unwrap();
    assert_eq!(engine.product_name.as_deref(), Some("motor"));
    assert_eq!(engine.service_name.as_deref(), Some("premium-calc"));
    assert_eq!(engine.file_size, Some(58211));
    assert_eq!(engine.public_api, Some(false));
    assert_eq!(engine.version_label, None);
    assert_eq!(engine.extra["DefaultEngineType"], "Neuron");
    assert_eq!(engine.extra["NoOfInstance"], 2);
    let inputs = service.x_input_table.as_deref().unwrap();
    let names: Vec<_> = inputs
        .iter()
        .filter_map(|r| r.input_name.as_deref())
        .collect();
    assert_eq!(names, ["DriverAge", "VehicleGroup"]);
    assert_eq!(inputs[1].description, None);
    let output = &service.x_output_table.as_deref().unwrap()[0];
    assert_eq!(output.output_name.as_deref(), Some("AnnualPremium"));
    assert_eq!(output.input_name, None);
    assert_eq!(output.extra["Format"], "0.00");
    assert_lossless::<RunnerUploadResponse>(&raw);
    // Only a null signature chain is documented: any other value decodes as sent.
    let signed: cspark::types::RunnerServiceInfo =
        decode(&json!({"HasSignatureChain": {"links": 2}, "folder_name": "motor"}));
    assert_eq!(signed.has_signature_chain, Some(json!({"links": 2})));
    assert_eq!(signed.extra["folder_name"], "motor");
}
