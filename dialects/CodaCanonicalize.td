//===- CodaCanonicalize.td - Declarative canonicalizations -*- tablegen -*-===//

#ifndef CODA_CANONICALIZE
#define CODA_CANONICALIZE

include "mlir/IR/PatternBase.td"
include "CodaOps.td"

def SameTypes : Constraint<CPred<"$0.getType() == $1.getType()">, "same types">;

// Exporters spell SiLU (swish) as x * sigmoid(x); Mul is commutative but its
// operands are not reordered for non-constants, so match both orders.
def FuseSiLU : Pat<(Coda_MulOp:$res $x, (Coda_SigmoidOp $x)), (Coda_SiLUOp $x),
                   [(SameTypes $x, $res)]>;
def FuseSiLUSwapped : Pat<(Coda_MulOp:$res (Coda_SigmoidOp $x), $x), (Coda_SiLUOp $x),
                          [(SameTypes $x, $res)]>;

#endif // CODA_CANONICALIZE
