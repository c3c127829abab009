-- One database per service, as ./pledge up and CloudNativePG in deploy/k8s have it.
CREATE DATABASE intake;
CREATE DATABASE sla;
CREATE DATABASE escalation;
CREATE DATABASE feedback;
