#!/usr/bin/env python3
"""The model server a user would otherwise write: FastAPI + onnxruntime, one process, serving ONNX
models over the Open Inference Protocol's JSON infer endpoint. ServingLoadDriver drives it with the
same requests as Launchpad when fastapi, uvicorn and onnxruntime are installed.

    python3 serving_reference.py --port 18000 --model mlp=/tmp/mlp.onnx --model forest=/tmp/forest.onnx
"""
import argparse

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI, HTTPException, Request

DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32, "BOOL": np.bool_}


def build(models):
    app = FastAPI()
    sessions = {name: ort.InferenceSession(path, providers=["CPUExecutionProvider"]) for name, path in models.items()}

    @app.get("/v2/health/ready")
    def ready():
        return {"ready": True}

    @app.post("/v2/models/{name}/infer")
    async def infer(name: str, request: Request):
        session = sessions.get(name)
        if session is None:
            raise HTTPException(status_code=404, detail=f"model {name} not found")
        body = await request.json()
        feeds = {}
        for tensor in body["inputs"]:
            dtype = DTYPES.get(tensor["datatype"])
            if dtype is None:
                raise HTTPException(status_code=400, detail=f"unsupported datatype {tensor['datatype']}")
            feeds[tensor["name"]] = np.asarray(tensor["data"], dtype=dtype).reshape(tensor["shape"])
        outputs = session.run(None, feeds)
        return {
            "model_name": name,
            "outputs": [
                {"name": meta.name, "datatype": "FP32", "shape": list(value.shape), "data": value.ravel().tolist()}
                for meta, value in zip(session.get_outputs(), outputs)
            ],
        }

    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18000)
    parser.add_argument("--model", action="append", required=True, help="name=path.onnx")
    args = parser.parse_args()
    models = dict(m.split("=", 1) for m in args.model)
    uvicorn.run(build(models), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
