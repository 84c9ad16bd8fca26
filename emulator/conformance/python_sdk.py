#!/usr/bin/env python3
"""Conformance of the emulator with the public Python SDK (`cspark` on PyPI).

Starts a fresh emulator (the binary given by --emulator, demo workbooks, an API key and an
OAuth client, on a free 127.0.0.1 port), then calls every SDK method the emulator emulates and
checks the computed values against values derived here by hand. Every HTTP response the SDK
receives is recorded; a 4xx/5xx that a check did not ask for is a failure too.

Prints one line per check and a closing `N passed, M failed`; exits non-zero on any failure.
Usage: python_sdk.py --emulator target/debug/cspark-emulator
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import subprocess
import sys
import time
import traceback
import uuid
import zipfile
from typing import Any, Callable, List, Tuple

import httpx
import cspark.sdk as Spark
from cspark.sdk import BaseUrl, UriParams

TENANT = 'my-tenant'
API_KEY = 'conformance-key'
CLIENT_ID, CLIENT_SECRET = 'conformance', 'conformance-secret'
VOLUME = 'demo/volume-cylinder'
LOAN = 'demo/loan-calc'
QUOTE = 'demo/insurance-quote'


def volume(r: float, h: float) -> float:
    return math.pi * r * r * h


def monthly_payment(principal: float, rate: float, years: int) -> float:
    """ROUND(-PMT(rate/12, years*12, principal), 2), by the annuity formula."""
    i, n = rate / 12, years * 12
    return round(principal * i / (1 - (1 + i) ** -n), 2)


def close(a: Any, b: float) -> bool:
    return isinstance(a, (int, float)) and abs(a - b) <= 1e-9 * max(abs(b), 1.0)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


class Traffic:
    """Every response the SDK received: (method, url, status), and which errors were expected."""

    def __init__(self) -> None:
        self.seen: List[Tuple[str, str, int]] = []
        self.allowed: set = set()

    def hook(self, response: httpx.Response) -> None:
        self.seen.append((response.request.method, str(response.request.url), response.status_code))

    def unexpected(self) -> List[Tuple[str, str, int]]:
        return [s for s in self.seen if s[2] >= 400 and (s[0], s[2]) not in self.allowed and s[1] not in self.allowed]


class Emulator:
    def __init__(self, binary: str) -> None:
        self.proc = subprocess.Popen(
            [binary, '--addr', '127.0.0.1:0', '--tenant', TENANT, '--demo-workbooks',
             '--api-key', API_KEY, '--oauth-client', f'{CLIENT_ID}:{CLIENT_SECRET}'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ''
        if not line.startswith('listening on '):
            self.stop()
            err = self.proc.stderr.read() if self.proc.stderr else ''
            raise SystemExit(f'emulator did not start: {line!r} {err}')
        self.url = line[len('listening on '):]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Suite:
    def __init__(self, url: str) -> None:
        self.url = url
        self.traffic = Traffic()
        self.passed: List[str] = []
        self.failed: List[str] = []
        hooks = {'response': [self.traffic.hook]}
        # The SDK only validates https://*.coherent.global strings; a BaseUrl object is taken as is.
        base = BaseUrl(url=url, tenant=TENANT)
        self.spark = Spark.Client(
            base_url=base, api_key=API_KEY, logger=False, max_retries=3, retry_interval=0.2,
            http_client=httpx.Client(timeout=30, event_hooks=hooks),
        )
        # Folder, category and configuration APIs take bearer tokens only: an OAuth client.
        self.bearer = Spark.Client(
            base_url=BaseUrl(url=url, tenant=TENANT),
            oauth={'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET},
            logger=False, max_retries=3, retry_interval=0.2,
            http_client=httpx.Client(timeout=30, event_hooks=hooks),
        )
        # The SDK fetches its token lazily: left alone, its first request goes out as
        # `Bearer None` and is refused (401) before the retry. Fetch it up front instead.
        oauth = self.bearer.config.auth.oauth
        if oauth is not None:
            oauth.retrieve_token(self.bearer.config, self.bearer.http_client)
        self.state: dict = {}

    def check(self, name: str, fn: Callable[[], None]) -> None:
        try:
            fn()
            self.passed.append(name)
            print(f'PASS {name}', flush=True)
        except Exception as error:  # a check fails, the suite goes on
            self.failed.append(name)
            detail = getattr(error, 'message', None) or str(error) or type(error).__name__
            cause = getattr(error, 'cause', None)
            print(f'FAIL {name}: {detail}' + (f'\n     cause: {cause}' if cause else ''), flush=True)
            if not isinstance(error, AssertionError):
                traceback.print_exc(limit=3)

    # ---- health and platform ----------------------------------------------------------------

    def health(self) -> None:
        expect(self.spark.health.ok(), 'health.ok() is False')
        expect(self.spark.health.check().data == {'status': 'UP'}, 'health.check() body')

    def platform_config(self) -> None:
        config = Spark.Platform(self.bearer.config, self.bearer.http_client).get_config()
        expect(isinstance(config.data, dict) and 'Batch_Chunk_Size' in config.data, f'config: {config.data}')

    # ---- folders and categories -------------------------------------------------------------

    def categories(self) -> None:
        cats = self.bearer.folders.categories
        listed = cats.list().data['data']
        expect(any(c['value'] == 'Other' for c in listed), f'default categories: {listed}')
        key = str(uuid.uuid4())
        saved = cats.save('Conformance', key=key, icon='other.svg').data
        expect(any(c.get('key') == key and c.get('value') == 'Conformance' for c in saved), f'save: {saved}')
        deleted = cats.delete(key).data
        expect(all(c.get('key') != key for c in deleted), f'delete: {deleted}')

    def folders(self) -> None:
        folders = self.bearer.folders
        created = folders.create('conformance-folder', category='Term', description='by the conformance suite')
        data = created.data['data']
        expect(data['name'] == 'conformance-folder' and data['category'] == 'Term', f'create: {data}')
        folder_id = data['id']
        expect(folders.exists('conformance-folder'), 'exists() after create')
        found = folders.find('conformance', category='Term').data
        expect([f['id'] for f in found['data']] == [folder_id], f'find: {found}')
        folders.update(folder_id, description='updated', category='Other')
        folders.upload_cover(folder_id, io.BytesIO(b'\x89PNG\r\n\x1a\n'), filename='cover.png')
        again = folders.find('conformance-folder').data['data'][0]
        expect(again['description'] == 'updated' and again['category'] == 'Other', f'update: {again}')
        folders.delete(folder_id)
        expect(not folders.exists('conformance-folder'), 'exists() after delete')

    # ---- services: execute and inspection ---------------------------------------------------

    def execute_v3(self) -> None:
        res = self.spark.services.execute(VOLUME, inputs={'Radius': 2, 'Height': 3})
        out = res.data['outputs'][0]
        expect(close(out['Volume'], volume(2, 3)), f'Volume {out}')
        expect(close(out['BaseArea'], math.pi * 4), f'BaseArea {out}')
        expect(close(out['SurfaceArea'], 2 * math.pi * 2 * (2 + 3)), f'SurfaceArea {out}')
        self.state['call_id'] = res.data['call_id']
        self.state['version_id'] = res.data['version_id']
        self.state['service_id'] = res.data['service_id']

    def execute_options(self) -> None:
        services = self.spark.services
        res = services.execute(VOLUME, inputs={'Radius': 1.5, 'Height': 2}, selected_outputs=['Volume'],
                               echo_inputs=True, response_format='original', correlation_id='conf-1')
        rd = res.data['response_data']
        expect(list(rd['outputs']) == ['Volume'], f'selected_outputs: {rd["outputs"]}')
        expect(close(rd['outputs']['Volume'], volume(1.5, 2)), f'Volume {rd}')
        expect(rd['inputs']['Radius'] == 1.5, f'echo_inputs: {rd.get("inputs")}')
        expect(res.data['response_meta']['correlation_id'] == 'conf-1', 'correlation_id echoed')
        res = services.execute(VOLUME, inputs={'Radius': 1, 'Height': 1}, outputs_filter='^(Base|Surface)')
        expect(sorted(res.data['outputs'][0]) == ['BaseArea', 'SurfaceArea'], f'outputs_filter: {res.data}')
        res = services.execute(VOLUME, inputs={'Radius': 3, 'Height': 1}, encoding='gzip')
        expect(close(res.data['outputs'][0]['Volume'], volume(3, 1)), 'gzip execute')

    def execute_locators(self) -> None:
        services = self.spark.services
        vid, sid = self.state['version_id'], self.state['service_id']
        by_version = services.execute(UriParams(version_id=vid), inputs={'Radius': 2, 'Height': 2})
        expect(close(by_version.data['outputs'][0]['Volume'], volume(2, 2)), 'by version_id')
        by_service = services.execute(UriParams(service_id=sid), inputs={'Radius': 2, 'Height': 5})
        expect(close(by_service.data['outputs'][0]['Volume'], volume(2, 5)), 'by service_id')
        versioned = services.execute('demo/volume-cylinder[0.1.0]', inputs={'Radius': 1, 'Height': 4})
        expect(close(versioned.data['outputs'][0]['Volume'], volume(1, 4)), 'by semantic version')

    def execute_v4(self) -> None:
        records = [{'Radius': 1, 'Height': 1}, {'Radius': 2, 'Height': 0.5}, {'Radius': 0.5, 'Height': 8}]
        res = self.spark.services.execute(VOLUME, inputs=records)
        outs = res.data['outputs']
        expect(len(outs) == 3, f'v4 outputs {outs}')
        for rec, out in zip(records, outs):
            expect(close(out['Volume'], volume(rec['Radius'], rec['Height'])), f'v4 {rec} -> {out}')

    def execute_subservices(self) -> None:
        res = self.spark.services.execute(LOAN, inputs={'Principal': 200000, 'Rate': 0.06, 'Years': 30},
                                          subservices=['payment'])
        out = res.data['outputs'][0]
        expect(close(out['MonthlyPayment'], monthly_payment(200000, 0.06, 30)), f'loan {out}')
        expect('TotalPaid' not in out, f'subservice filter: {out}')

    def execute_tables(self) -> None:
        drivers = [{'Name': 'Ann', 'Age': 40, 'Years Licensed': 20}]
        res = self.spark.services.execute(QUOTE, inputs={
            'Drivers': drivers, 'PolicyStart': '2024-03-01', 'HasClaims': False, 'CoverLevel': 'Standard',
            'Region': 'North', 'VehicleValue': 20000})
        out = res.data['outputs'][0]
        base = 450 * 1.0 * 1.0 + 0.005 * 20000  # cover base x loading x region + 0.5% of value
        expect(close(out['TotalPremium'], round(base * 1.0, 2)), f'premium {out}')
        expect(out['RiskBand'] == 'Low' and out['Eligible'] is True, f'band {out}')
        expect(out['ExpiryDate'] == '2025-02-28', f'expiry {out}')
        expect(out['DriverPremiums'][0]['Premium'] == round(base, 2), f'table output {out}')

    def validate(self) -> None:
        services = self.spark.services
        static = services.validate(QUOTE, inputs={'CoverLevel': 'Basic'}, validation_type='static')
        outs = static.data['response_data']['outputs']
        expect(outs['CoverLevel']['options'] == ['Basic', 'Standard', 'Premium'], f'validate {outs}')
        dynamic = services.validate(QUOTE, inputs={}, validation_type='dynamic')
        expect(dynamic.status == 200, 'dynamic validation')

    def schema_versions_swagger(self) -> None:
        services = self.spark.services
        schema = services.get_schema(VOLUME).data
        names = sorted(i['name'] for i in schema['xlInputs'])
        expect(names == ['Height', 'Radius'], f'schema inputs {names}')
        by_version = services.get_schema(version_id=self.state['version_id']).data
        expect(by_version['bookSummary']['versionId'] == self.state['version_id'], 'schema by version id')
        versions = services.get_versions(VOLUME).data
        expect(versions[0]['id'] == self.state['version_id'], f'versions {versions}')
        swagger = services.get_swagger(VOLUME).data
        expect('paths' in swagger, 'swagger document')
        meta = services.get_metadata(LOAN).data
        expect(meta['response_data']['outputs'].get('metadata.Author') is not None, f'metadata {meta}')
        expect(services.exists(VOLUME) and not services.exists('demo/no-such-service'), 'exists')

    def search(self) -> None:
        services = self.spark.services
        found = services.search(query=[{'field': 'filename', 'value': 'loan'}]).data
        expect([r['fileName'] for r in found['response_data']] == ['loan-calc'], f'search {found}')
        everything = services.search().data
        expect(everything['response_meta']['count'] >= 3, f'search all {everything["response_meta"]}')

    def download(self) -> None:
        services = self.spark.services
        original = services.download(VOLUME).buffer
        configured = services.download(VOLUME, type='configured').buffer
        expect(original[:2] == b'PK' and configured[:2] == b'PK', 'downloads are xlsx')
        expect(original != configured, 'configured file differs from the original')
        self.state['xlsx'] = original

    def create_recompile_delete(self) -> None:
        services = self.spark.services
        created = services.create('conformance-cyl', folder='conformance', file=io.BytesIO(self.state['xlsx']),
                                  label='first', release_notes='by the conformance suite')
        expect(created['upload']['response_data']['no_of_inputs'] == 2, f'upload {created["upload"]}')
        expect(created['compilation']['response_data']['progress'] == 100, 'compilation')
        vid = created['publication']['response_data']['version_id']
        res = services.execute('conformance/conformance-cyl', inputs={'Radius': 4, 'Height': 0.25})
        expect(close(res.data['outputs'][0]['Volume'], volume(4, 0.25)), 'created service computes')
        recompiled = services.recompile(folder='conformance', service='conformance-cyl', version_id=vid,
                                        label='second', upgrade='minor').data
        expect(recompiled['response_data']['revision'] == '0.2.0', f'recompile {recompiled}')
        versions = services.get_versions('conformance/conformance-cyl').data
        expect(versions[0]['versionLabel'] == 'second', f'recompile label {versions[0]}')
        services.delete('conformance/conformance-cyl')
        expect(not services.exists('conformance/conformance-cyl'), 'deleted')

    # ---- transforms -------------------------------------------------------------------------

    def transforms(self) -> None:
        transforms = self.spark.transforms
        doc = Spark.Transform(inputs='{"inputs": $}', outputs='$.response_data.outputs')
        expect(transforms.validate(doc).status == 200, 'validate')
        saved = transforms.save(folder='demo', name='conformance', transform=doc)
        expect(saved.status == 200, 'save')
        got = transforms.get(folder='demo', name='conformance').data
        document = json.loads(got['outputs']['transform_document'])
        expect(document['output_body_transform'] == '$.response_data.outputs', f'get {got}')
        listed = transforms.list('demo', search=[{'field': 'name', 'value': 'conform'}]).data
        expect([t['name'] for t in listed['result']] == ['conformance'], f'list {listed}')
        transforms.delete(folder='demo', name='conformance')

    # ---- batches ----------------------------------------------------------------------------

    def batches(self) -> None:
        batches = self.spark.batches
        expect(batches.describe().status == 200, 'describe')
        batch = batches.create(VOLUME, selected_outputs='Volume').data
        pipeline = batches.of(batch['id'])
        records = [{'Radius': 1 + i / 10, 'Height': 1 + i % 3} for i in range(50)]
        pushed = pipeline.push(inputs=records).data
        expect(pushed['record_submitted'] == 50, f'push {pushed}')
        results: List[dict] = []
        for _ in range(100):
            pulled = pipeline.pull(max_chunks=10).data
            for chunk in pulled['data']:
                results.extend(chunk['outputs'])
            if len(results) >= len(records):
                break
            time.sleep(0.05)
        expect(len(results) == 50, f'pulled {len(results)} records')
        for rec, out in zip(records, results):
            expect(close(out['Volume'], volume(rec['Radius'], rec['Height'])), f'batch {rec} -> {out}')
        expect(pipeline.get_status().data['records_completed'] == 50, 'status')
        expect(pipeline.get_info().data['id'] == batch['id'], 'info')
        closed = pipeline.dispose().data
        expect(closed['data']['batch_status'] == 'closed', f'close {closed}')
        other = batches.of(batches.create(VOLUME).data['id'])
        expect(other.cancel().data['data']['batch_status'] == 'cancelled', 'cancel')

    # ---- history ----------------------------------------------------------------------------

    def history(self) -> None:
        logs = self.spark.logs
        call_id = self.state['call_id']
        log = logs.get(call_id).data
        expect(log['EngineCallId'] == call_id, f'log {log}')
        expect(log['EngineDetails']['request_data']['inputs'] == {'Radius': 2, 'Height': 3}, 'logged inputs')
        rehydrated = logs.rehydrate(VOLUME, call_id=call_id)
        expect(rehydrated.buffer[:2] == b'PK' and rehydrated.data['status'] == 'Success', 'rehydrate')
        legacy = logs.rehydrate(VOLUME, call_id=call_id, index=0, legacy=True)
        expect(legacy.buffer[:2] == b'PK', 'rehydrate (legacy path)')
        for kind in ('json', 'csv'):
            downloaded = logs.download(folder='demo', service='volume-cylinder', type=kind, call_ids=[call_id])
            names = zipfile.ZipFile(io.BytesIO(downloaded.buffer)).namelist()
            expect(any(n.endswith(f'.{kind}') for n in names), f'{kind} log download {names}')

    # ---- impex, wasm, files -----------------------------------------------------------------

    def impex(self) -> None:
        impex = self.spark.impex
        expect(impex.exports.describe().status == 200 and impex.imports.describe().status == 200, 'describe')
        downloads = impex.export(services=[VOLUME])
        expect(len(downloads) == 1 and downloads[0].buffer[:2] == b'PK', 'export package')
        job = impex.exports.initiate(version_ids=[self.state['version_id']]).data
        finished = impex.exports.get_status(job_id=job['id']).data
        expect(finished['status'] in ('completed', 'closed'), f'export status {finished}')
        cancelled = impex.exports.cancel(job['id']).data  # already finished: reported as it is
        expect(cancelled['id'] == job['id'], f'export cancel {cancelled}')
        status = impex.import_({'source': VOLUME, 'target': 'imported/volume-cylinder'},
                               io.BytesIO(downloads[0].buffer))
        expect(status.data['status'] in ('completed', 'closed'), f'import {status.data}')
        res = self.spark.services.execute('imported/volume-cylinder', inputs={'Radius': 2, 'Height': 7})
        expect(close(res.data['outputs'][0]['Volume'], volume(2, 7)), 'imported service computes')

    def wasm_and_files(self) -> None:
        bundle = self.spark.wasm.download(VOLUME).buffer
        names = zipfile.ZipFile(io.BytesIO(bundle)).namelist()
        expect(any(n.endswith('ModelMetaData.json') for n in names), f'wasm bundle {names}')
        by_version = self.spark.wasm.download(version_id=self.state['version_id']).buffer
        expect(by_version[:2] == b'PK', 'wasm by version id')
        url = f'{self.url}/_emulator/files/{self.state["version_id"]}'
        expect(self.spark.files.download(url).buffer == self.state['xlsx'], 'files.download')

    def oauth_and_statics(self) -> None:
        token = Spark.OAuth2(self.bearer.config, self.bearer.http_client).get_access_token()
        expect(bool(token.access_token) and token.token_type.lower() == 'bearer', f'token {token}')
        health = Spark.Client.health_check(self.url, logger=False)
        expect(health.data == {'status': 'UP'}, f'health_check {health.data}')
        url = f'{self.url}/_emulator/files/{self.state["version_id"]}'
        # The emulator's file links need the caller's credentials (as `files.download` sends
        # them); the static helper takes them as `auth`.
        anonymous = None
        try:
            Spark.Client.download(url)
        except Exception as exc:  # noqa: BLE001 - the SDK wraps the 401 in SparkSdkError
            anonymous = exc
        expect(anonymous is not None and '401' in str(anonymous), f'anonymous download {anonymous}')
        downloaded = Spark.Client.download(url, auth=self.spark.config.auth)
        expect(downloaded == self.state['xlsx'], 'Client.download with auth')

    # ---- the asynchronous client: the same resources over httpx.AsyncClient ---------------

    def async_client(self) -> None:
        asyncio.run(self._async_calls())

    async def _async_calls(self) -> None:
        hooks = {'response': [self._async_hook]}
        async with Spark.AsyncClient(
            base_url=BaseUrl(url=self.url, tenant=TENANT), api_key=API_KEY, logger=False, max_retries=3,
            retry_interval=0.2, http_client=httpx.AsyncClient(timeout=30, event_hooks=hooks),
        ) as spark:
            expect(await spark.health.ok(), 'async health')
            res = await spark.services.execute(VOLUME, inputs={'Radius': 1.25, 'Height': 6})
            expect(close(res.data['outputs'][0]['Volume'], volume(1.25, 6)), f'async v3 {res.data}')
            call_id = res.data['call_id']
            res = await spark.services.execute(VOLUME, inputs=[{'Radius': 2, 'Height': 2}, {'Radius': 1, 'Height': 9}])
            expect(close(res.data['outputs'][1]['Volume'], volume(1, 9)), f'async v4 {res.data}')
            res = await spark.services.execute(LOAN, inputs={'Principal': 10000, 'Rate': 0.05, 'Years': 5},
                                               subservices='payment')
            expect(close(res.data['outputs'][0]['MonthlyPayment'], monthly_payment(10000, 0.05, 5)), 'async loan')
            schema = (await spark.services.get_schema(version_id=self.state['version_id'])).data
            expect(schema['bookSummary']['versionId'] == self.state['version_id'], 'async schema by version')
            versions = (await spark.services.get_versions(VOLUME)).data
            expect(len(versions) >= 1, 'async versions')
            expect((await spark.services.validate(QUOTE, inputs={})).status == 200, 'async validate')
            found = (await spark.services.search(query=[{'field': 'foldername', 'value': 'demo'}])).data
            expect(found['response_meta']['count'] >= 3, f'async search {found["response_meta"]}')
            log = (await spark.logs.get(call_id)).data
            expect(log['EngineCallId'] == call_id, 'async log')
            rehydrated = await spark.logs.rehydrate(VOLUME, call_id=call_id)
            expect(rehydrated.buffer[:2] == b'PK', 'async rehydrate')
            batch = (await spark.batches.create(VOLUME)).data
            pipeline = spark.batches.of(batch['id'])
            await pipeline.push(inputs=[{'Radius': 3, 'Height': 3}])
            outs: List[dict] = []
            for _ in range(100):
                for chunk in (await pipeline.pull()).data['data']:
                    outs.extend(chunk['outputs'])
                if outs:
                    break
                await asyncio.sleep(0.05)
            expect(len(outs) == 1 and close(outs[0]['Volume'], volume(3, 3)), f'async batch {outs}')
            await pipeline.dispose()
            bundle = (await spark.wasm.download(VOLUME)).buffer
            expect(bundle[:2] == b'PK', 'async wasm')
            expect((await spark.transforms.list('demo')).status == 200, 'async transforms list')

    async def _async_hook(self, response: httpx.Response) -> None:
        self.traffic.hook(response)

    # ---- refusals: the errors Spark answers -------------------------------------------------

    def refusals(self) -> None:
        self.traffic.allowed.update({('POST', 404), ('GET', 404), ('POST', 501)})
        # The emulator stores transforms but does not run them: both path forms answer 501.
        for using in ('conformance', {'folder': 'demo', 'service': 'conformance'}):
            try:
                self.spark.services.transform(VOLUME, inputs={'Radius': 1}, using=using)
                raise AssertionError('running a transform succeeded')
            except Spark.SparkApiError:  # the SDK maps 501 to UnknownApiError (status None)
                status = self.traffic.seen[-1][2]
                expect(status == 501, f'transform using {using}: status {status}')
        expect(self.spark.health.ok(), 'the connection survives the refusal')
        try:
            self.spark.services.execute('demo/no-such-service', inputs={})
            raise AssertionError('executing a missing service succeeded')
        except Spark.SparkApiError as error:
            expect(error.status == 404, f'status {error.status}')
        try:
            Spark.Client(base_url=BaseUrl(url=self.url, tenant=TENANT), api_key='wrong', logger=False,
                         max_retries=1).services.execute(VOLUME, inputs={})
            raise AssertionError('a wrong API key was accepted')
        except Spark.SparkApiError as error:
            expect(error.status == 401, f'status {error.status}')

    def run(self) -> None:
        for name in ['health', 'platform_config', 'categories', 'folders', 'execute_v3', 'execute_options',
                     'execute_locators', 'execute_v4', 'execute_subservices', 'execute_tables', 'validate',
                     'schema_versions_swagger', 'search', 'download', 'create_recompile_delete', 'transforms',
                     'batches', 'history', 'impex', 'wasm_and_files', 'oauth_and_statics', 'async_client']:
            self.check(name, getattr(self, name))
        self.check('every request accepted', self.all_accepted)
        self.check('refusals', self.refusals)

    def all_accepted(self) -> None:
        bad = self.traffic.unexpected()
        expect(not bad, 'refused requests: ' + '; '.join(f'{m} {u} -> {s}' for m, u, s in bad))
        expect(len(self.traffic.seen) > 50, f'only {len(self.traffic.seen)} requests seen')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--emulator', required=True, help='path of the cspark-emulator binary')
    args = parser.parse_args()
    started = time.monotonic()
    emulator = Emulator(args.emulator)
    try:
        suite = Suite(emulator.url)
        print(f'cspark {Spark.__version__} against {emulator.url}', flush=True)
        suite.run()
    finally:
        emulator.stop()
    print(f'{len(suite.traffic.seen)} requests in {time.monotonic() - started:.1f} s')
    print(f'{len(suite.passed)} passed, {len(suite.failed)} failed')
    return 0 if suite.passed and not suite.failed else 1


if __name__ == '__main__':
    sys.exit(main())
