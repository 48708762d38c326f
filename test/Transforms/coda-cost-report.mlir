// RUN: coda-opt %s --coda-predict-cost=platform=%S/inputs/tiny-platform.json --coda-cost-report -o /dev/null | FileCheck %s
// RUN: coda-opt %s --coda-predict-cost=platform=%S/inputs/tiny-platform.json --coda-cost-report=format=csv -o /dev/null | FileCheck %s --check-prefix=CSV
// RUN: coda-opt %s --coda-predict-cost=platform=%S/inputs/tiny-platform.json --coda-cost-report="format=json chart=%t.svg" -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: FileCheck %s --check-prefix=SVG < %t.svg
// RUN: coda-opt %s --coda-predict-cost=platform=%S/inputs/tiny-platform.json --coda-cost-report="chart=%t.html" -o /dev/null
// RUN: FileCheck %s --check-prefix=HTML < %t.html
// RUN: not coda-opt %s --coda-cost-report 2>&1 | FileCheck %s --check-prefix=NOCOST
// RUN: not coda-opt %s --coda-predict-cost=platform=%S/inputs/tiny-platform.json --coda-cost-report=format=xml 2>&1 | FileCheck %s --check-prefix=FORMAT

// CHECK: name{{ +}}op{{ +}}kind{{ +}}shape{{ +}}MACs{{ +}}ms{{ +}}W{{ +}}mJ{{ +}}time{{ +}}energy
// CHECK-NEXT: conv1{{ +}}conv2d{{ +}}conv{{ +}}1x8x8x8{{ +}}13824{{ +}}0.0238{{ +}}2.792{{ +}}6.65e-02{{ +}}62.8%{{ +}}100.0%{{$}}
// CHECK-NEXT: relu1{{ +}}relu{{ +}}fused{{ +}}1x8x8x8{{ +}}512{{ +}}0.0000
// CHECK-NEXT: add1{{ +}}add{{ +}}eltwise{{ +}}1x8x8x8{{ +}}512{{ +}}0.0141{{ +}}0.001{{ +}}8.14e-06{{ +}}37.2%{{ +}}0.0% *
// CHECK: kind{{ +}}count{{ +}}ms{{ +}}mJ{{ +}}time{{ +}}energy
// CHECK-NEXT: conv{{ +}}1{{ +}}0.0238
// CHECK: total{{ +}}3{{ +}}0.0379{{ +}}6.65e-02{{ +}}power 1.755 W
// CHECK-NEXT: * power and energy estimated by the analytical energy model (Horowitz 45 nm), not measured

// CSV: name,op,kind,shape,macs,latency_ms,power_w,energy_mj,latency_share,energy_share,latency_model,power_model,estimated
// CSV-NEXT: conv1,conv2d,conv,1x8x8x8,13824,0.02382{{[0-9]*}},2.79{{[0-9]*}},0.0665{{[0-9]*}},62.83,99.99,tiny/conv,tiny/conv/power,false
// CSV: add1,add,eltwise,1x8x8x8,512,{{.*}},horowitz45/fp32,true

// JSON: "estimated": true,
// JSON: "latency_ms": 0.03791
// JSON: "name": "conv1"
// JSON: "platform": "tiny/total"

// SVG: <svg xmlns="http://www.w3.org/2000/svg"
// SVG: tiny/total: 0.038 ms, 0.067 mJ, 1.755 W (energy and power estimated)
// SVG: kind conv
// SVG: >conv1</text>
// SVG: </svg>
// HTML: <!DOCTYPE html>
// HTML: <svg
// HTML: </html>

// NOCOST: error: coda-cost-report: the module has no #coda.cost totals (run coda-predict-cost first)
// FORMAT: error: coda-cost-report: unknown format 'xml' (expected text, csv or json)
func.func @residual(%x: tensor<1x3x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %w = coda.constant dense<0.5> : tensor<8x3x3x3xf32>
  %b = coda.constant dense<0.1> : tensor<8xf32>
  %0 = coda.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32> loc("conv1")
  %1 = coda.relu %0 : tensor<1x8x8x8xf32> loc("relu1")
  %2 = coda.add %1, %1 : (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> loc("add1")
  return %1, %2 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}
