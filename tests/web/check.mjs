// check.mjs - the verification pages in a real browser (tests/e2e_publish.c).
//
//   node check.mjs WEBROOT CASES.json
//
// Serves WEBROOT on 127.0.0.1 the way the README's nginx block does
// (try_files $uri $uri/ =404; error_page 404 /404.html), drives Debian's
// chromium ($CHROMIUM, default /usr/bin/chromium) headless over the DevTools
// protocol with puppeteer-core, and for each case of CASES.json
//   { "path": "/verifikasi/<id>", "state": "berlaku", "id": "<id>",
//     "files": [ { "file": "/abs/x.pdf", "expect": "surat|ttd|bukan" } ] }
// checks the page without JavaScript (the state is readable, the checker
// hidden), then with JavaScript picks each file in the page's file picker
// and reads the answer. Any request to another origin fails the run, as
// does an unknown id that is not answered by 404.html with status 404.
// Prints "ok N checks" and exits 0, or prints each failure and exits 1.
import { createServer } from 'node:http';
import { readFile, stat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [webroot, casesFile] = process.argv.slice(2);
if (!webroot || !casesFile) {
	console.error('usage: node check.mjs WEBROOT CASES.json');
	process.exit(2);
}
const cases = JSON.parse(await readFile(casesFile, 'utf8'));
const failures = [];
let checks = 0;
const check = (ok, what) => {
	checks++;
	if (!ok) failures.push(what);
};

async function fileAt(p) {
	try {
		const s = await stat(p);
		if (s.isFile()) return p;
		if (s.isDirectory()) {
			const i = path.join(p, 'index.html');
			if ((await stat(i)).isFile()) return i;
		}
	} catch { /* not there */ }
	return null;
}

const types = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.txt': 'text/plain' };
const server = createServer(async (req, res) => {
	const url = new URL(req.url, 'http://127.0.0.1');
	const rel = path.normalize(decodeURIComponent(url.pathname));
	let f = rel.includes('..') ? null : await fileAt(path.join(webroot, rel));
	let status = 200;
	if (!f) {
		f = path.join(webroot, '404.html');
		status = 404;
	}
	res.writeHead(status, { 'content-type': types[path.extname(f)] || 'application/octet-stream' });
	res.end(await readFile(f));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const profile = await mkdtemp(path.join(tmpdir(), 'tte-chromium-'));
const browser = await puppeteer.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	userDataDir: profile,
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

try {
	const page = await browser.newPage();
	page.on('request', (r) => {
		if (!r.url().startsWith(origin)) failures.push(`request to another origin: ${r.url()}`);
	});
	for (const c of cases) {
		// Without JavaScript: the state in words, no checker.
		await page.setJavaScriptEnabled(false);
		let resp = await page.goto(origin + c.path, { waitUntil: 'load' });
		check(resp.status() === 200, `${c.path}: status ${resp.status()}`);
		const nojs = await page.evaluate(() => ({
			state: document.getElementById('status')?.dataset.status,
			text: document.getElementById('status')?.textContent || '',
			body: document.body.innerText,
			cekVisible: !!document.getElementById('cek')?.offsetParent,
		}));
		check(nojs.state === c.state, `${c.path}: state ${nojs.state}, expected ${c.state}`);
		check(nojs.text.includes(c.state === 'ditandatangani' ? 'ditandatangani secara elektronik' : c.state),
		      `${c.path}: state not in words: ${nojs.text}`);
		check(nojs.body.includes(c.id), `${c.path}: letter id not shown`);
		check(!nojs.cekVisible, `${c.path}: checker shown without JavaScript`);

		// With JavaScript: pick each file.
		await page.setJavaScriptEnabled(true);
		resp = await page.goto(origin + c.path, { waitUntil: 'load' });
		check(await page.evaluate(() => !!document.getElementById('cek')?.offsetParent),
		      `${c.path}: checker hidden with JavaScript`);
		for (const f of c.files || []) {
			const input = await page.$('#berkas');
			await page.evaluate(() => {
				const h = document.getElementById('hasil');
				h.removeAttribute('data-hasil');
				h.textContent = '';
			});
			await input.uploadFile(f.file);
			await page.waitForFunction(() => {
				const k = document.getElementById('hasil').dataset.hasil;
				return k && k !== 'proses';
			}, { timeout: 10000 });
			const got = await page.evaluate(() => ({
				kind: document.getElementById('hasil').dataset.hasil,
				text: document.getElementById('hasil').textContent,
			}));
			check(got.kind === f.expect, `${c.path}: ${path.basename(f.file)} gave ${got.kind} (${got.text}), expected ${f.expect}`);
			if (f.expect === 'bukan')
				check(got.text.includes('BUKAN salinan asli surat ini'), `${c.path}: wrong words: ${got.text}`);
			console.log(`${c.state}\t${path.basename(f.file)}\t${got.text}`);
		}
	}
	// An id nobody issued.
	const resp = await page.goto(origin + '/verifikasi/20990101-XXXX-XXXX-XXXX-XXXX', { waitUntil: 'load' });
	check(resp.status() === 404, `unknown id: status ${resp.status()}`);
	check((await page.content()).includes('Surat tidak ditemukan'), 'unknown id: not the 404 page');
} catch (e) {
	failures.push(`error: ${e.stack || e}`);
} finally {
	await browser.close();
	server.close();
	await rm(profile, { recursive: true, force: true });
}

if (failures.length) {
	for (const f of failures) console.log(`FAIL ${f}`);
	process.exit(1);
}
console.log(`ok ${checks} checks`);
