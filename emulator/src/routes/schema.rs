//! The service schema document (`GET /api/v1/product/{f}/engines/get/{s}`, §5.4), built from
//! the engine's fields. Field names and casing follow the real sample.

use serde_json::{Value, json};

use crate::exec::COMPILER_VERSION;
use crate::store::Version;
use crate::wire::{plain_datetime, timestamp};
use crate::workbook::{DataType, Field, Shape, Validation};

/// Spark's `dataType` literal.
pub(super) fn data_type(t: DataType) -> &'static str {
    match t {
        DataType::Number => "NUMBER",
        DataType::Text => "TEXT",
        DataType::Boolean => "BOOLEAN",
        DataType::Date => "DATE",
    }
}

fn validation_json(v: &Option<Validation>) -> Value {
    match v {
        None => Value::Null,
        Some(Validation::List(options)) => {
            json!({"validation_allow": "List", "options": options, "min": null, "max": null})
        }
        Some(Validation::Number { min, max, whole }) => json!({
            "validation_allow": if *whole { "WholeNumber" } else { "Decimal" },
            "options": null, "min": min, "max": max,
        }),
    }
}

fn cell(field: &Field, kind: &str) -> Value {
    let (rows, columns) = match &field.shape {
        Shape::Scalar => (1, 1),
        Shape::Table { columns, rows } => (rows + 1, columns.len() as u32),
    };
    let header_specs: Vec<Value> = match &field.shape {
        Shape::Scalar => Vec::new(),
        Shape::Table { columns, .. } => columns
            .iter()
            .map(|(name, t)| json!({"name": name, "dataType": data_type(*t)}))
            .collect(),
    };
    json!({
        "sheetIndex": field.sheet_index,
        "value": field.default,
        "rawValue": field.default,
        "dataType": data_type(field.data_type),
        "numberFormatType": data_type(field.data_type),
        "numberFormat": field.number_format,
        "rowIndex": field.row,
        "columnIndex": field.column,
        "rows": rows,
        "columns": columns,
        "textColor": null,
        "backGroundColor": null,
        "xjName": null,
        "validation": validation_json(&field.validation),
        "type": kind,
        "validationCol": 0,
        "validationRow": 0,
        "headerSpecs": header_specs,
        "subServiceName": field.subservice,
        "name": field.name,
        "sheetName": field.sheet,
        "address": field.address,
        "description": field.description,
        "cellCount": rows * columns,
        "validationErrors": [],
    })
}

fn categories(fields: &[Field]) -> Value {
    let single: Vec<&str> = fields
        .iter()
        .filter(|f| matches!(f.shape, Shape::Scalar))
        .map(|f| f.name.as_str())
        .collect();
    let tables: Vec<&str> = fields
        .iter()
        .filter(|f| matches!(f.shape, Shape::Table { .. }))
        .map(|f| f.name.as_str())
        .collect();
    json!({"solves": [], "reports": [], "single": single, "images": [], "tables": tables, "csv": []})
}

/// The whole schema document of one version.
pub(super) fn schema(version: &Version, tenant: &str, base_url: &str, public: bool) -> Value {
    let info = &version.info;
    let inputs = version.engine.inputs();
    let outputs = version.engine.outputs();
    let revision = info.version.to_string();
    let uploaded = plain_datetime(info.created_at);
    let size = version.file.len();
    let mut subservices: Vec<String> = inputs
        .iter()
        .chain(outputs)
        .filter_map(|f| f.subservice.clone())
        .collect();
    subservices.sort();
    subservices.dedup();
    let sheets: std::collections::BTreeSet<u32> = inputs
        .iter()
        .chain(outputs)
        .map(|f| f.sheet_index)
        .collect();
    let count_tables = |fs: &[Field]| {
        fs.iter()
            .filter(|f| matches!(f.shape, Shape::Table { .. }))
            .count()
    };
    let props = [
        // Spark's book property; here the emulator's `--public-service` list.
        ("PublicAPI", json!(if public { "True" } else { "False" })),
        ("AllowToStoreHistory", json!("True")),
        ("Author", json!("emulator@cspark.local")),
        ("BaseUrl", json!(base_url)),
        ("BatchSizeOverride", json!("0")),
        ("CalcMode", json!("AUTO")),
        (
            "CompilerVersion",
            json!(format!("Neuron_v{COMPILER_VERSION}")),
        ),
        ("DefaultEngineType", json!("Neuron")),
        ("Description", Value::Null),
        ("FileGUID", json!(info.id)),
        ("OriginalFileName", json!(info.file_name)),
        ("ProductName", json!(info.folder)),
        ("ReleaseNote", json!(info.release_note)),
        ("Revision", json!(revision)),
        ("ServiceGUID", json!(info.service_id)),
        ("ServiceName", json!(info.service)),
        ("ServiceVersionGUID", json!(info.id)),
        ("Tenant", json!(tenant)),
        ("UploadDate", json!(uploaded)),
        ("UploaderEmail", json!("emulator@cspark.local")),
        ("VersionLabel", json!(info.label)),
        ("ServiceUuid", json!(info.service_id)),
    ];
    let book_properties: Vec<Value> = props
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    json!({
        "bookSummary": {
            "bookServiceName": info.service,
            "bookFileName": info.file_name,
            "bookFileHash": version.hash,
            "bookFileGUID": info.id,
            "bookRevision": revision,
            "bookReleaseDate": uploaded,
            "bookDescription": null,
            "bookAuthor": "emulator@cspark.local",
            "bookUploadDate": uploaded,
            "bookUploaderEmail": "emulator@cspark.local",
            "bookVersionReleaseNotes": info.release_note,
            "docstoreSize": size,
            "timeExtractModel": 0, "totalTime": 0, "uploadTime": 0,
            "versionId": info.id,
            "product": info.folder,
            "isStarred": false,
            "universalFileHash": null,
            "versionLabel": info.label,
            "parametersetCompatibilityGroup": "",
            "tags": info.tags,
            "originalServiceHash": version.hash,
            "compiledOutputHash": version.hash,
            "compilerVersion": format!("Neuron_v{COMPILER_VERSION}"),
            "compilerVersionServiceUpdate": "MaintainVersion",
        },
        "bookProperties": book_properties,
        "engineHash": version.hash,
        "engineID": info.id,
        "fetchTimeUTC": timestamp(chrono::Utc::now()),
        "validationErrors": [],
        "xlInputs": inputs.iter().map(|f| cell(f, "XInput")).collect::<Vec<_>>(),
        "xOutput": outputs.iter().map(|f| cell(f, "XOutput")).collect::<Vec<_>>(),
        "sizeOfUploadFile": size,
        "sizeOfCompressedFile": 0,
        "success": true,
        "totalHiddenSheets": 0,
        "totalInputTables": count_tables(inputs),
        "totalOutputSolves": 0,
        "totalOutputTables": count_tables(outputs),
        "totalReports": 0,
        "totalSheets": sheets.len(),
        "totalXJInputs": 0,
        "totalXJOutputs": 0,
        "effectiveStartDate": timestamp(info.effective_start),
        "effectiveEndDate": timestamp(info.effective_end),
        "chainingEngines": [], "chainedEngines": [],
        "solveInputs": [], "reportInputs": [], "imageInputs": [],
        "serviceCategories": subservices,
        "engineWarnings": [],
        "engineType": "Neuron",
        "lastCalcTime": 0,
        "totalTime": 0,
        "isActiveService": true,
        "activeServiceDetails": null,
        "inputMetadata": categories(inputs),
        "outputMetadata": categories(outputs),
        "xParameter": {},
        "nodeGenCompilerResult": {
            "Infos": [], "Warnings": [], "Errors": [], "TokenCnt": [],
            "SourceXlsxMd5": version.hash, "SourceLines": 0, "SourceBytes": size,
            "SourceFiles": 1, "CompilerVersion": COMPILER_VERSION,
            "Sheets": sheets.len(), "Cells": 0, "CellsWithData": 0, "Formulas": 0, "trace": null,
        },
        "metadata": {
            "engineInformation": {
                "fileSize": size, "author": "emulator@cspark.local",
                "productName": info.folder, "revision": revision, "description": null,
                "fileMD5Hash": version.hash, "universalFileHash": null,
                "releaseDate": timestamp(info.created_at), "serviceName": info.service,
                "noOfInstance": 1, "uploaderEmail": "emulator@cspark.local",
                "defaultEngineType": "Neuron", "originalFileName": info.file_name,
                "sizeOfUploadedFile": size, "releaseNote": info.release_note,
                "isTypeScriptFile": false, "engineUpgradeType": "minor", "publicAPI": false,
                "fileGuid": info.id, "serviceGuid": info.service_id,
                "serviceVersionGuid": info.id, "baseUrl": base_url, "tenant": tenant,
                "allowToStoreHistory": true, "calcMode": "AUTO",
                "forceInputsWriteBeforeCalcModeChanges": true, "provenance": null,
                "versionLabel": info.label, "explainerType": "", "isXParameter": false,
                "parametersetCompatibilityGroup": "", "xParameterSetVersionId": "",
                "versionUpgradeAssert": "OFF", "xReportRanges": null, "tags": info.tags,
                "originalServiceHash": version.hash, "compiledOutputHash": version.hash,
                "compilerVersion": format!("Neuron_v{COMPILER_VERSION}"),
                "compilerVersionServiceUpdate": "MaintainVersion",
                "directAddressingOutputsEnabled": false, "xConnectorServiceName": null,
                "xConnectorTargetUrl": null, "batchSizeOverride": 0,
            },
            "xInputTable": inputs.iter().map(|f| json!({"Input Name": f.name, "Description": f.description, "Address": f.address})).collect::<Vec<_>>(),
            "xOutputTable": outputs.iter().map(|f| json!({"Output Name": f.name, "Description": f.description, "Address": f.address})).collect::<Vec<_>>(),
            "formsService": null,
            "staticService": null,
            "versionId": info.id,
        },
        "totalUsedRowsAndCells": 0,
        "isLambdaExist": false,
        "parameterset_version_id": "",
        "isAutoJsonFormExists": false,
        "engineInfos": [{"key": format!("This service version was compiled using Neuron_v{COMPILER_VERSION}."), "value": []}],
        "engineErrors": null,
    })
}
